# The recotap-mock container image: one statically linked binary and nothing else.
#
#   docker build -t recotap-mock .
#   docker run -p 8080:8080 recotap-mock
#
# The build stage makes the binary with scripts/build-static.sh, the script CI runs on the host;
# .ci/image assembles this image's root filesystem from that script's output alone and runs it
# there (chroot, as the user below, with the variables below), so what ships here is tested on
# machines without a container engine. Keep the final stage and .ci/image in step: .ci/image
# reads ENV, USER and HEALTHCHECK from this file.

FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cp "$(scripts/build-static.sh | tail -n 1)" /recotap-mock

FROM scratch
COPY --from=build /recotap-mock /recotap-mock
# Every interface of the container (the port is published by the engine), on the usual port.
# Set RECOTAP_MOCK_ADMIN_TOKEN when the port is reachable by more than your tests.
ENV RECOTAP_MOCK_HOST=0.0.0.0 RECOTAP_MOCK_PORT=8080
# nobody: the mock needs no privilege. The image has no writable directory: a state file goes on
# a mount that uid 65534 can write (docs/container.md).
USER 65534:65534
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s --start-period=5s --retries=3 CMD ["/recotap-mock", "health"]
ENTRYPOINT ["/recotap-mock"]
