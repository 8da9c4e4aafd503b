"""User-facing errors: one clear line naming the file or record and the problem."""


class AicensusError(Exception):
    """An error the CLI prints as one line (no traceback) before exiting non-zero."""


class SourceError(AicensusError):
    """A source location could not be read or parsed as a whole (file, URL, directory)."""


class WarehouseError(AicensusError):
    """The warehouse could not be opened, migrated or written."""


class MeasureError(AicensusError):
    """A measure was asked for something it cannot compute (unknown option, no data loaded)."""


class NoDataError(MeasureError):
    """A measure has no data for the selection (source or venue-year not loaded): a claim
    variant reports it as insufficient data, whereas any other error stops the check."""
