"""OpenAlex: API fetcher, snapshot reader, file reader and normalization into warehouse rows."""

from aicensus.sources.openalex.normalize import PARSER_VERSION, SOURCE, short_id

__all__ = ["PARSER_VERSION", "SOURCE", "short_id"]
