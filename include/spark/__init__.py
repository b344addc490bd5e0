"""Spark jobs of the project: importable transformations + thin spark-submit entry points.

Every job module exposes pure functions ``f(spark, *dataframes) -> DataFrame`` and a
``main()`` with argparse, so tests call the functions and Airflow calls ``main`` via
spark-submit. Sessions come from :func:`include.spark.session.get_session`.
"""
