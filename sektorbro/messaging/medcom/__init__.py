"""MedCom FHIR messages (HospitalNotification, CareCommunication, Acknowledgement): parse, validate, extract.

Plain Python (no Django). ``validate.check(raw_bytes)`` returns the parsed bundle and every issue found."""
