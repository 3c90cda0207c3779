"""crossdock's pyx12 maps: readable sources compiled to pyx12's map XML at runtime.

- :mod:`~crossdock.edi.maps.dictionary`: the X12 data dictionary (elements, composites, segments).
- :mod:`~crossdock.edi.maps.x850` ... :mod:`~crossdock.edi.maps.x997`: each set's segment table.
- :mod:`~crossdock.edi.maps.versions`: ISA12/GS08 variants, 005010 changes, enforced code lists.
- :mod:`~crossdock.edi.maps.source`: parses the sources; :mod:`~crossdock.edi.maps.compiler`: emits XML.
- :mod:`~crossdock.edi.maps.cache`: writes the runtime map directory (the one filesystem write in ``edi``).
"""
