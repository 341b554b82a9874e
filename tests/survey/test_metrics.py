import numpy as np

from survey.metrics import display_class, display_class_index, dbm_to_mw, mw_to_dbm


def test_lte_rsrp_classes_follow_android_cut_points():
    values = np.array([-130, -128, -119, -118, -108.5, -108, -98, -60, np.nan])
    assert display_class_index(values, "lte", "rsrp_dbm").tolist() == [0, 1, 1, 2, 2, 3, 4, 4, -1]


def test_display_class_names():
    assert display_class(-110, "nr", "rsrp_dbm") == "fair"
    assert display_class(-90, "umts", "rscp_dbm") == "good"
    assert display_class(-110, "gsm", "rssi_dbm") == "none"
    assert display_class(float("nan"), "lte", "rsrp_dbm") is None


def test_power_average_is_taken_in_milliwatts():
    # The mean of -60 dBm and -90 dBm in mW is about -63 dBm, not the -75 dBm of a dB mean.
    mean = mw_to_dbm(dbm_to_mw(np.array([-60.0, -90.0])).mean())
    assert abs(mean - (-62.997)) < 0.01
