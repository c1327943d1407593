# trustcam hub. Build: docker build --tag=trustcam .
# Run:   docker run -v $PWD/certs:/app/certs -v $PWD/data:/app/data -p 5000:5000 trustcam
FROM denoland/deno:2.9.6

WORKDIR /app
# The base image's npm cache (DENO_DIR), stated here because CMD's --allow-ffi names a path in it.
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
  && deno cache main.ts cli/certs.ts cli/cameras.ts \
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
# recordings, for retention's --min-free-bytes); it runs /usr/bin/ffmpeg alone (MP4 exports: the
# child runs outside Deno's sandbox, fed only JPEGs from the archive). The bundle built above is
# served as is (the hub refuses to start if its sources changed since, rather than spawn the
# bundler). Motion detection decodes JPEGs with sharp, native code: --allow-ffi for sharp's
# own packages in the npm cache only (@img/sharp-linux-* and its libvips), the variables sharp
# and its libc probe read at load (npm_*, SHARP_*, MALLOC_ARENA_MAX), and of the system the
# CPU count, network interfaces and host name it asks at load. The health check loads none of it.
HEALTHCHECK --interval=30s --timeout=10s --start-period=20s --retries=3 \
  CMD ["deno", "run", "--allow-net=127.0.0.1", "--allow-read=certs", "--allow-env=TRUSTCAM_*,WS_NO_BUFFER_UTIL,WS_NO_UTF_8_VALIDATE", "main.ts", "--healthcheck"]

CMD ["run", "--allow-read=.", "--deny-read=certs/ca,certs/devices,certs/viewers", "--allow-write=data", "--allow-net=0.0.0.0,127.0.0.1", "--allow-env=TRUSTCAM_*,WS_NO_BUFFER_UTIL,WS_NO_UTF_8_VALIDATE,npm_package_config_libvips,npm_config_arch,npm_config_platform,npm_config_libc,SHARP_IGNORE_GLOBAL_LIBVIPS,SHARP_FORCE_GLOBAL_LIBVIPS,MALLOC_ARENA_MAX", "--allow-sys=statfs,cpus,networkInterfaces,hostname", "--allow-run=/usr/bin/ffmpeg", "--allow-ffi=/deno-dir/npm/registry.npmjs.org/@img", "main.ts", "--no-demo"]
