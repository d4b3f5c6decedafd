"""Serve a bench app with the protocol `slipway_chassis.serve()` runs (uvicorn's CLI cannot).

    python guarded_server.py PORT    # BENCH_VARIANT picks the app, as for the CLI

uvicorn's `--http` takes only h11/httptools; `serve()` passes a class
(`GuardedHttpToolsProtocol`: head timeout, head size limit, problem+json 400/431),
so the "as serve() runs it" row starts the server through `uvicorn.run` here.
Limits are the settings' defaults.
"""

from __future__ import annotations

import sys

import uvicorn
from slipway_chassis import ServiceSettings
from slipway_chassis._protocol import protocol_class  # the chassis' own bench: internals allowed

if __name__ == "__main__":
    defaults = ServiceSettings.model_fields
    uvicorn.run(
        "bench_apps:build",
        factory=True,
        host="127.0.0.1",
        port=int(sys.argv[1]),
        loop="uvloop",
        http=protocol_class(
            defaults["request_head_timeout_seconds"].default,
            defaults["max_request_header_bytes"].default,
        ),
        access_log=False,
        log_level="warning",
    )
