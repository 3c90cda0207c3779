"""The legacy ERP contract: shipped WSDL, operation/field map, pure mapping, faults, and the simulator (sim/)."""
