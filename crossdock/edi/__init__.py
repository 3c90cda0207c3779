"""X12 EDI: read, validate (pyx12), acknowledge (997), write and translate to and from canonical
documents. Pure: takes bytes or binary streams, never paths, sockets or sessions."""
