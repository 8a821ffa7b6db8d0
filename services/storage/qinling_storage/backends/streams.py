"""An open byte stream (file, HTTP response body) as the chunk iterator ``open`` returns."""

CHUNK_SIZE = 64 * 1024


class StreamChunks:
    """Reads ``stream`` in chunks; closes it at the end, on error or on ``close()``.

    ``stream`` needs ``read(size)`` and ``close()``: a file, a botocore ``StreamingBody``,
    a swiftclient object body.
    """

    def __init__(self, stream, chunk_size=CHUNK_SIZE):
        self._stream = stream
        self._chunk_size = chunk_size

    def __iter__(self):
        return self

    def __next__(self):
        try:
            chunk = self._stream.read(self._chunk_size)
        except BaseException:
            self.close()
            raise
        if not chunk:
            self.close()
            raise StopIteration
        return chunk

    def close(self):
        self._stream.close()
