"""Evaluate a synthetic nation on Spark, in local mode, and compare it with a single run.

Needs pyspark and a Java runtime (Debian: ``apt-get install default-jre-headless``)::

    python examples/spark_nation.py [scale]

The scale is a share of the nation's 615,000 communities (default 0.002: 1,230).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

# The executors run this interpreter, which has cssp, numpy, pyarrow and pandas.
os.environ.setdefault("PYSPARK_PYTHON", sys.executable)

from pyspark.sql import SparkSession

import cssp.batch
import cssp.synth
from cssp.batch.on_spark import evaluate_spark

LEVELS = ("township", "county", "prefecture", "province", "nation")


def main(scale: float) -> None:
    path = Path(tempfile.mkdtemp()) / "nation.parquet"
    cssp.synth.write(cssp.synth.nation(scale), path)

    spark = (
        SparkSession.builder.master("local[2]")
        .appName("cssp")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    try:
        # Three partitions that cut through townships: their totals are added exactly.
        communities = spark.read.parquet(str(path)).repartition(3)
        totals = evaluate_spark(communities, "fyp14")
    finally:
        spark.stop()

    nation = totals.regions("nation")
    for target in ("rural_facility_coverage", "facility_area_per_100_households"):
        t = nation.targets.index(target)
        status = cssp.batch.STATUSES[nation.status[0, t]].value
        print(f"{target:34} {status:8} {nation.observed[0, t]:6.2f} of {nation.required[0, t]:g}")

    single = cssp.batch.evaluate_parquet(path, "fyp14")
    same = all(totals.region_assessments(lv) == single.region_assessments(lv) for lv in LEVELS)
    print(f"{len(totals.regions('township')):,} townships; the same as one process: {same}")


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 0.002)
