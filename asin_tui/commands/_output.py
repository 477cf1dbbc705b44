"""Writing a command's result to stdout so that a reader who left (`… | head -c 10`) is
noticed wherever it happens: the exit status is then 141, as README promises.

One large ``sys.stdout.write`` into a pipe can end with no error when the reader leaves
half way (the pipe took part of it and the rest is dropped), so the command would exit 1 or
0 as if everything had been read. Written in flushed chunks, the chunk after the reader left
raises BrokenPipeError, which ``cli.main`` turns into 141.
"""

from __future__ import annotations

import sys
from typing import TextIO

CHUNK = 8192  # characters per write; each write is flushed
#: Bytes per write of UTF-8 already encoded (a report's rows built by SQLite): few system
#: calls for a 54 MB report, still many chunks to notice a reader who left.
BYTES_CHUNK = 1 << 20


def write_out(text: str | bytes, stream: TextIO | None = None) -> None:
    """``text`` to stdout (or ``stream``); bytes (UTF-8) go to its binary layer as they are."""
    out = sys.stdout if stream is None else stream
    if isinstance(text, bytes):
        binary = getattr(out, "buffer", None)
        if binary is None:  # a text-only stream (a test's StringIO)
            text = text.decode()
        else:
            out.flush()  # what the text layer holds goes first
            view = memoryview(text)
            for start in range(0, len(view), BYTES_CHUNK):
                binary.write(view[start : start + BYTES_CHUNK])
                binary.flush()
            return
    for start in range(0, len(text), CHUNK):
        out.write(text[start : start + CHUNK])
        out.flush()
