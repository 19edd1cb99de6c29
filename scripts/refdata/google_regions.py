"""Lays a Google region-carbon-info yearly file over cloud_regions.csv.

usage: google_regions.py data/cloud_regions.csv UPSTREAM/data/yearly/<year>.csv <year>

The year's figure becomes provider_grid_g_per_kwh; the figure it replaces
moves to provider_grid_prev_g_per_kwh (the range of the Google option uses
both years). Regions upstream that the table lacks are listed, not added: a
new region needs its country and grid zone chosen by hand."""
import csv
import sys

from refcsv import RefCsv


def main(table_path, upstream_path, year):
    table = RefCsv(table_path)
    table.add_column("provider_grid_prev_g_per_kwh",
                     "provider-published grid intensity of the previous year, gCO2e/kWh",
                     after="provider_grid_year")
    table.add_column("provider_grid_prev_year", "year of the previous provider value",
                     after="provider_grid_prev_g_per_kwh")
    upstream = {r["Google Cloud Region"]: r for r in csv.DictReader(open(upstream_path, encoding="utf-8"))}
    ours = {r["region"]: r for r in table.rows if r["provider"] == "gcp"}
    for region, up in upstream.items():
        row = ours.get(region)
        if row is None:
            print(f"not in the table (add by hand): gcp:{region} ({up['Location']})", file=sys.stderr)
            continue
        if row["provider_grid_year"] and row["provider_grid_year"] != year:
            row["provider_grid_prev_g_per_kwh"] = row["provider_grid_g_per_kwh"]
            row["provider_grid_prev_year"] = row["provider_grid_year"]
        row["provider_grid_g_per_kwh"] = up["Grid carbon intensity (gCO2eq / kWh)"]
        row["provider_grid_year"] = year
        row["provider_cfe_pct"] = str(round(float(up["Google CFE"]) * 100))
        row["listed_by"] = row["listed_by"].replace("GOOGLE2024", f"GOOGLE{year}")
    table.save()


if __name__ == "__main__":
    main(*sys.argv[1:4])
