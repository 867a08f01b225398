"""The coalition graph: domain model, stores, Cypher, projection to networkx."""
