"""Georeferencing: anchors, control-point fits with residuals, and the Contoso oracle.

The oracle: Microsoft's own converted GeoJSON of the Contoso building puts the plan corner
(70 m, 70 m) at (−122.13166850063762, 47.636781587473784), with the drawing origin anchored
at latitude 47.636152, longitude −122.1326 and angle 0.
"""

import math

import numpy as np
import pytest
from pyproj import Geod

from plans_helpers import english  # noqa: F401 - fixture
from survey.errors import InputError
from survey.plans.georeference import (
    ControlPoint,
    anchor_georeference,
    fit_georeference,
    parse_control_point,
    plan_to_wgs84,
    wgs84_to_plan,
)

ANCHOR = (-122.1326, 47.636152)
CORNER = (-122.13166850063762, 47.636781587473784)


def test_anchor_matches_oracle():
    lon, lat = plan_to_wgs84(anchor_georeference(*ANCHOR), 70, 70)

    assert lon[0] == pytest.approx(CORNER[0], abs=1e-10)
    assert lat[0] == pytest.approx(CORNER[1], abs=1e-10)


def test_plan_edge_measures_70_m():
    georeference = anchor_georeference(*ANCHOR)
    lon, lat = plan_to_wgs84(georeference, [0, 70], [0, 0])
    _azimuth, _back, distance = Geod(ellps="WGS84").inv(lon[0], lat[0], lon[1], lat[1])

    assert distance == pytest.approx(70.0, abs=0.001)


def test_two_points_give_similarity():
    points = [ControlPoint(0, 0, *ANCHOR), ControlPoint(70, 70, *CORNER)]

    georeference = fit_georeference(points)
    a, b, d, e, _xoff, _yoff = georeference["matrix"]

    assert georeference["method"] == "similarity"
    assert math.hypot(a, d) == pytest.approx(1.0, abs=1e-6)
    assert math.degrees(math.atan2(d, a)) == pytest.approx(0.0, abs=0.01)
    assert georeference["rms_m"] < 0.001


def test_fit_maps_oracle_both_ways():
    georeference = fit_georeference([ControlPoint(0, 0, *ANCHOR), ControlPoint(70, 70, *CORNER)])

    lon, lat = plan_to_wgs84(georeference, 70, 70)
    x, y = wgs84_to_plan(georeference, *CORNER)

    assert (lon[0], lat[0]) == pytest.approx(CORNER, abs=1e-9)
    assert (x[0], y[0]) == pytest.approx((70, 70), abs=1e-6)


def test_affine_residuals_with_noise():
    exact = anchor_georeference(*ANCHOR)
    corners = [(0, 0), (70, 0), (70, 70), (0, 70)]
    noise = [(0.05, 0.05), (0, 0), (0, 0), (0, 0)]
    points = []
    for (x, y), (dx, dy) in zip(corners, noise):
        lon, lat = plan_to_wgs84(exact, x + dx, y + dy)
        points.append(ControlPoint(x, y, float(lon[0]), float(lat[0])))

    georeference = fit_georeference(points)

    assert georeference["method"] == "affine"
    assert len(georeference["residuals_m"]) == 4
    assert 0.01 < georeference["rms_m"] < 0.06


def test_rotated_anchor_turns_clockwise():
    georeference = anchor_georeference(*ANCHOR, angle_deg=90)
    lon, lat = plan_to_wgs84(georeference, 0, 10)

    assert lon[0] > ANCHOR[0]
    assert lat[0] == pytest.approx(ANCHOR[1], abs=1e-6)


def test_one_point_rejected():
    with pytest.raises(InputError, match="two control points"):
        fit_georeference([ControlPoint(0, 0, *ANCHOR)])


def test_aligned_points_rejected():
    points = [ControlPoint(0, 0, *ANCHOR), ControlPoint(10, 0, ANCHOR[0] + 1e-4, ANCHOR[1]), ControlPoint(20, 0, ANCHOR[0] + 2e-4, ANCHOR[1])]

    with pytest.raises(InputError, match="one line"):
        fit_georeference(points)


def test_control_point_parsing():
    assert parse_control_point("70,70,-122.1,47.6") == ControlPoint(70, 70, -122.1, 47.6)
    with pytest.raises(InputError):
        parse_control_point("70,70,47.6")
    with pytest.raises(InputError, match="out of range"):
        parse_control_point("0,0,47.6,-122.1")


def test_round_trip_many_points():
    georeference = fit_georeference([ControlPoint(0, 0, *ANCHOR), ControlPoint(70, 70, *CORNER)])
    x = np.linspace(0, 70, 8)

    lon, lat = plan_to_wgs84(georeference, x, x[::-1])
    back_x, back_y = wgs84_to_plan(georeference, lon, lat)

    assert np.allclose(back_x, x, atol=1e-6)
    assert np.allclose(back_y, x[::-1], atol=1e-6)
