"""IO edges: marketplaces over REST (rest/), the ERP over SOAP with zeep (soap/), 3PLs over SFTP (sftp/)."""
