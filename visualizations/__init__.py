"""Views of the graph (network pages, charts, reports). Views never write to the store."""
