"""The public Python interface: aicensus.open() and the warehouse object (see README)."""
