"""One province run on Spark in local mode, for benches/province.sh: censuslink.spark.run on
local[CORES], then each stage's costs (censuslink.spark.costs) written as JSON.

    python benches/province/spark_run.py JOB OUT CORES MEMORY COSTS.json
"""

import json
import sys

import censuslink.spark as cs


def main() -> None:
    job, out, cores, memory, costs = sys.argv[1:6]
    spark = cs.local_session(cores=int(cores), memory=memory)
    spark.sparkContext.setLogLevel("ERROR")
    try:
        cs.run(spark, job, out)
        with open(costs, "w") as file:
            json.dump(cs.costs(spark), file)
    finally:
        spark.stop()


if __name__ == "__main__":
    main()
