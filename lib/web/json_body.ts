/**
 * A request's JSON body for the API's PUT/PATCH/POST routes: the value, or TC_ERR_BAD_REQUEST
 * ("Request body is not JSON") for anything that does not parse. The size limit is the app's
 * (hub/app.ts reads the body under it before a route sees it).
 */
import { TrustcamError } from "../errors.ts";

export async function jsonBody(req: Request): Promise<unknown> {
  try {
    return await req.json();
  } catch {
    throw new TrustcamError("TC_ERR_BAD_REQUEST", "Request body is not JSON");
  }
}
