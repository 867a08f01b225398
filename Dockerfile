FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY graph ./graph
COPY loaders ./loaders
COPY api ./api
COPY visualizations ./visualizations
COPY data ./data
RUN pip install --no-cache-dir . && useradd --create-home coalition
USER coalition
ENTRYPOINT []
CMD ["coalition", "--help"]
