"""crossdock's pyx12 maps: readable sources compiled to pyx12's map XML at runtime."""
