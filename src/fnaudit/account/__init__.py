"""The live AWS account as a scan target (`fnaudit scan aws:`): read, rendered, scanned, relocated."""
