"""crossdock: an integration broker between marketplaces (REST), a legacy ERP (SOAP) and 3PLs (X12 over SFTP)."""

__version__ = "0.1.0"
