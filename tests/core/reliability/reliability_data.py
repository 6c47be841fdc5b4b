"""Published reliability data sets used by the tests, each with its source.

The values are copied from the cited publications or from the R packages that ship them.
"""

import numpy as np

nan = np.nan

# Shrout & Fleiss (1979), Psychological Bulletin 86(2), Table 2: 6 targets x 4 judges.
SHROUT_FLEISS = np.array([
    [9, 2, 5, 8],
    [6, 1, 3, 2],
    [8, 4, 6, 8],
    [7, 1, 2, 6],
    [10, 5, 6, 9],
    [6, 2, 4, 7],
], dtype=float)

# R package irr, data set `anxiety` (Gamer et al.): 20 subjects x 3 raters, scale 1-6.
# Also in statsmodels' test_inter_rater.py.
ANXIETY = np.array([
    [3, 3, 2], [3, 6, 1], [3, 4, 4], [4, 6, 4], [5, 2, 3], [5, 4, 2], [2, 2, 1], [3, 4, 6],
    [5, 3, 1], [2, 3, 1], [2, 2, 1], [6, 3, 2], [1, 3, 3], [5, 3, 3], [2, 2, 1], [2, 2, 1],
    [1, 1, 3], [2, 3, 3], [4, 3, 2], [3, 4, 2],
], dtype=float)

# Fleiss (1971), Psychological Bulletin 76, Table 1: 30 patients, 6 psychiatrists each, 5
# diagnoses (1 depression, 2 personality disorder, 3 schizophrenia, 4 neurosis, 5 other). Fleiss
# gives only the count table; this raw form is R irr's `diagnoses` (as in statsmodels' tests).
DIAGNOSES = np.array([
    [4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5],
    [2, 2, 2, 4, 4, 4], [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4],
    [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5], [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4],
    [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5], [3, 3, 3, 3, 3, 5],
    [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
    [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4],
    [1, 4, 4, 4, 4, 5], [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4],
    [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5],
], dtype=float)

# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", section C (data with
# missing values): 4 observers x 12 units, values 1-5. Units are rows here. The same data are
# Gwet (2014), Handbook of Inter-Rater Reliability, 4th ed., p. 120 (irrCAC `cac.raw4raters`).
KRIPPENDORFF_2011 = np.array([
    [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
    [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
]).T

# Gwet (2014), Handbook of Inter-Rater Reliability, 4th ed. (irrCAC `cac.raw5obser`, as in the
# Python port afergadis/irrCAC datasets.raw_5observers): 15 units x 5 observers, scale 0-3.
GWET_5_OBSERVERS = np.array([
    [1, 1, 2, nan, 0, 0, 1, 1, 2, 2, nan, 0, 1, 3, 1],
    [1, 1, 3, 0, 0, 0, 0, nan, 2, 1, 1, 0, 2, 3, 1],
    [2, 0, 3, 0, 0, 0, 2, 2, 2, 1, 0, 0, 2, 2, 1],
    [nan, 1, 3, nan, nan, nan, nan, 0, nan, 1, 0, 0, 2, 2, nan],
    [2, nan, nan, 0, 0, 0, 1, nan, 2, nan, nan, nan, nan, 3, 1],
]).T

# R irr, data set `video`: 20 subjects x 4 raters (values as in pyirr's tests/video.csv).
VIDEO = np.array([
    [4, 4, 3, 4], [4, 4, 4, 5], [4, 4, 5, 5], [4, 4, 4, 4], [4, 3, 2, 4], [4, 4, 3, 4],
    [4, 3, 2, 5], [4, 4, 3, 4], [4, 3, 3, 4], [4, 3, 3, 4], [4, 4, 3, 4], [4, 3, 3, 4],
    [4, 4, 4, 4], [4, 4, 4, 4], [4, 4, 3, 4], [4, 4, 4, 4], [4, 4, 4, 4], [4, 4, 4, 4],
    [4, 4, 4, 4], [4, 5, 5, 4],
], dtype=float)

# Bland & Altman (1986), Lancet 327(8476):307-310, Table 1: peak expiratory flow rate (l/min),
# first reading of 17 subjects with the Wright and with the mini Wright meter.
WRIGHT = np.array([494, 395, 516, 434, 476, 557, 413, 442, 650, 433, 417, 656, 267, 478, 178,
                   423, 427], dtype=float)
MINI_WRIGHT = np.array([512, 430, 520, 428, 500, 600, 364, 380, 658, 445, 432, 626, 260, 477,
                        259, 350, 451], dtype=float)

# R's cor.test example (Hollander & Wolfe 1973, p. 187): Hunter L values and panel scores.
HUNTER_X = np.array([44.4, 45.9, 41.9, 53.3, 44.7, 44.1, 50.7, 45.2, 60.1])
HUNTER_Y = np.array([2.6, 3.1, 2.5, 5.0, 3.6, 4.0, 5.2, 2.8, 3.8])


def table_to_pairs(table: list[list[int]]) -> np.ndarray:
    """Two-rater scores (categories 1..q) from a q x q contingency table."""
    rows = [[i + 1, j + 1] for i, line in enumerate(table) for j, c in enumerate(line)
            for _ in range(c)]
    return np.array(rows, dtype=float)
