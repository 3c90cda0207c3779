"""Dramatiq wiring: broker setup, queue and lane names, the message codec, and crossdock's middleware."""
