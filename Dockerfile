# trustcam hub. Build: docker build --tag=trustcam .
# Run:   docker run -v $PWD/certs:/app/certs -v $PWD/data:/app/data -p 5000:5000 trustcam
FROM denoland/deno:2.9.6

WORKDIR /app
# The base image's npm cache (DENO_DIR): the decode process loads sharp's native code from it.
ENV DENO_DIR=/deno-dir/
# ffmpeg encodes MP4 exports of recordings (Debian's package, as on the machines it was tested on).
RUN apt-get update \
  && apt-get install -y --no-install-recommends ffmpeg \
  && rm -rf /var/lib/apt/lists/* \
  && chown deno:deno /app
USER deno

# Dependencies first (npm registry, pinned by deno.lock), so code changes reuse this layer.
COPY --chown=deno:deno deno.json deno.lock ./
COPY --chown=deno:deno . .
RUN deno install --frozen \
  && deno cache main.ts hub/motion_decoder_child.ts cli/certs.ts cli/cameras.ts \
  && deno run -A main.ts --build \
  && mkdir -p certs data

VOLUME ["/app/certs", "/app/data"]
EXPOSE 5000

# Least privilege (README, "Deployment with Docker"): the hub reads the app and the certs and
# data volumes under it, but not the CA keys (certs/ca/) nor client keys (nor
# /proc/self/limits, which Deno grants only with --allow-all: set TRUSTCAM_MAX_CONNECTIONS to
# match `docker run --ulimit nofile=`, or it assumes 1024 open files); it writes data/ only; it
# listens on 0.0.0.0 (any port, so TRUSTCAM_PORT alone moves it; another TRUSTCAM_HOST needs
# its address here too) and dials only itself on 127.0.0.1 (the listener watchdog, see
# docs/known-issues.md); it reads TRUSTCAM_* and the
# two variables the ws package probes; of the system it asks only statfs (free space under the
# recordings, for retention's --min-free-bytes); it runs two programs: /usr/bin/ffmpeg (MP4
# exports: the child runs outside Deno's sandbox, fed only JPEGs from the archive) and
# /usr/bin/nice (coreutils), which starts motion detection's decode process at the lowest CPU
# priority. That process (hub/motion_decoder.ts) holds the only native code (sharp) with its
# own, smaller grant: FFI, sharp's environment variables and system facts, no network, no
# files beyond its modules; the hub itself loads no native code. The bundle built above is
# served as is (the hub refuses to start if its sources changed since, rather than spawn the
# bundler). The health check runs nothing.
HEALTHCHECK --interval=30s --timeout=10s --start-period=20s --retries=3 \
  CMD ["deno", "run", "--allow-net=127.0.0.1", "--allow-read=certs", "--allow-env=TRUSTCAM_*,WS_NO_BUFFER_UTIL,WS_NO_UTF_8_VALIDATE", "main.ts", "--healthcheck"]

CMD ["run", "--allow-read=.", "--deny-read=certs/ca,certs/devices,certs/viewers", "--allow-write=data", "--allow-net=0.0.0.0,127.0.0.1", "--allow-env=TRUSTCAM_*,WS_NO_BUFFER_UTIL,WS_NO_UTF_8_VALIDATE", "--allow-sys=statfs", "--allow-run=/usr/bin/ffmpeg,/usr/bin/nice", "main.ts", "--no-demo"]
