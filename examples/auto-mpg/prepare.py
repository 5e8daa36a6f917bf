"""Writes the Auto MPG data set (UCI; the copy bundled with the `vega_datasets` package, so no
network is needed) as auto-mpg-train.csv and auto-mpg-test.csv beside this file: a fixed,
seeded 80/20 split that hpsearch (`test_path:`) and the ridge baseline (ridge.py) both use.

Columns: Miles_per_Gallon (the target), Cylinders, Displacement, Horsepower (6 missing cells,
left empty: hpsearch imputes the training median and adds an indicator), Weight_in_lbs,
Acceleration, Year (model year), Origin (text: USA, Europe, Japan: one-hot). The car's name is
dropped (an identifier), as are the 8 rows without a target.

    pip install vega_datasets pandas && python3 prepare.py
"""
import os

import numpy as np
from vega_datasets import local_data

here = os.path.dirname(os.path.abspath(__file__))
cars = local_data.cars()
cars = cars.dropna(subset=["Miles_per_Gallon"]).drop(columns=["Name"]).reset_index(drop=True)
cars["Year"] = cars["Year"].dt.year
columns = ["Miles_per_Gallon", "Cylinders", "Displacement", "Horsepower", "Weight_in_lbs", "Acceleration", "Year", "Origin"]
cars = cars[columns]
order = np.random.default_rng(15).permutation(len(cars))
test_rows = int(round(0.2 * len(cars)))
test, train = cars.iloc[order[:test_rows]], cars.iloc[order[test_rows:]]
train.to_csv(os.path.join(here, "auto-mpg-train.csv"), index=False)
test.to_csv(os.path.join(here, "auto-mpg-test.csv"), index=False)
print(f"auto-mpg: {len(train)} training rows, {len(test)} test rows, "
      f"{int(cars['Horsepower'].isna().sum())} missing Horsepower cells")
