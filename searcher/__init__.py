"""searcher: a Chinese full-text search engine (jieba segments, Whoosh stores and ranks).

Pipeline, one module per stage, data flowing one way:
documents → analysis → query → index (Whoosh) → highlight → search (with duplicates: near-duplicate
sketches and collapsing) and suggest, with sync (incremental indexing) and library (the :class:`Index`
facade) on top, and the CLI on top of the library.
"""

from .documents import Document, DocumentError, read_document
from .highlight import Snippet
from .index import IndexLockedError, IndexNotFoundError, IndexStats, SearcherIndexError
from .library import Index, default_index_path
from .query import QuerySyntaxError, parse_query
from .search import Hit, SearchResults
from .suggest import Suggestions
from .sync import Failure, UpdateReport

__version__ = "0.1.0"

__all__ = [
    "Document",
    "DocumentError",
    "Failure",
    "Hit",
    "Index",
    "IndexLockedError",
    "IndexNotFoundError",
    "IndexStats",
    "QuerySyntaxError",
    "SearchResults",
    "SearcherIndexError",
    "Suggestions",
    "Snippet",
    "UpdateReport",
    "default_index_path",
    "parse_query",
    "read_document",
]
