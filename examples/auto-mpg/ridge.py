"""The baseline the Auto MPG sweep must beat: scikit-learn ridge regression on the same files,
with the same preprocessing hpsearch applies (training-median imputation with a missing
indicator, standardisation, one-hot Origin), its alpha chosen by 5-fold cross-validation on the
training file. Prints one JSON line: test_rmse, test_mae, test_r2, alpha.

    pip install scikit-learn pandas && python3 ridge.py
"""
import json
import os

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import RidgeCV
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

here = os.path.dirname(os.path.abspath(__file__))
train = pd.read_csv(os.path.join(here, "auto-mpg-train.csv"))
test = pd.read_csv(os.path.join(here, "auto-mpg-test.csv"))
target = "Miles_per_Gallon"
numeric = [c for c in train.columns if c not in (target, "Origin")]
features = ColumnTransformer([
    ("numeric", make_pipeline(SimpleImputer(strategy="median", add_indicator=True), StandardScaler()), numeric),
    ("origin", OneHotEncoder(handle_unknown="ignore"), ["Origin"]),
])
model = make_pipeline(features, RidgeCV(alphas=np.logspace(-3, 3, 25), cv=5))
model.fit(train.drop(columns=[target]), train[target])
predicted = model.predict(test.drop(columns=[target]))
print(json.dumps({
    "test_rmse": float(np.sqrt(mean_squared_error(test[target], predicted))),
    "test_mae": float(mean_absolute_error(test[target], predicted)),
    "test_r2": float(r2_score(test[target], predicted)),
    "alpha": float(model[-1].alpha_),
}, sort_keys=True))
