# trustcam hub. Build: docker build --tag=trustcam .
# Run:   docker run -v $PWD/certs:/app/certs -v $PWD/data:/app/data -p 5000:5000 trustcam
FROM denoland/deno:2.9.6

WORKDIR /app
RUN chown deno:deno /app
USER deno

# Dependencies first (npm registry, pinned by deno.lock), so code changes reuse this layer.
COPY --chown=deno:deno deno.json deno.lock ./
COPY --chown=deno:deno . .
RUN deno install --frozen \
  && deno cache main.ts cli/certs.ts cli/cameras.ts \
  && deno run -A main.ts --build \
  && mkdir -p certs data

VOLUME ["/app/certs", "/app/data"]
EXPOSE 5000

HEALTHCHECK --interval=30s --timeout=10s --start-period=20s --retries=3 \
  CMD ["deno", "run", "--allow-net", "--allow-read", "--allow-env", "main.ts", "--healthcheck"]

# No --allow-run: the bundle built above is served as is (the hub refuses to start if its
# sources changed since, rather than spawn the bundler).
CMD ["run", "--allow-net", "--allow-read", "--allow-write=data", "--allow-env", "--allow-sys", "main.ts", "--no-demo"]
