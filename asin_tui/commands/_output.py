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


def write_out(text: str, stream: TextIO | None = None) -> None:
    out = sys.stdout if stream is None else stream
    for start in range(0, len(text), CHUNK):
        out.write(text[start : start + CHUNK])
        out.flush()
