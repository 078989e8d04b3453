#!/usr/bin/env python3
"""Live sample traffic for `make demo`.

Turns rows of the real IT help-desk data (../shared/data/tickets_train.csv)
into tickets posted to a running Switchboard at a steady rate, prints where
each one went, and plays the agents: each assigned ticket is solved after a
while, which frees capacity so waiting tickets get pulled. Every so often an
agent steps away and comes back, so requeueing can be seen too.

Only the Python standard library is used.
"""
import argparse
import csv
import json
import random
import sys
import time
import urllib.error
import urllib.request

URGENCY_LEVEL = {"0": "high", "1": "high", "2": "medium", "3": "low"}
DOMAINS = ["northwind.example", "contoso.example", "fabrikam.example", "example.com"]


def requester(n):
    return f"user{n}@{DOMAINS[n % 4]}"


CHANNELS = ["email"] * 6 + ["web"] * 2 + ["chat"] * 2 + ["phone"]
REPLIES = ["Done: you should have access now. Let us know if anything is missing.",
           "I have reset it; please try again and reply if it still fails.",
           "This is fixed on our side. Thanks for reporting it.",
           "Installed and tested; closing this one."]


class Api:
    def __init__(self, url, token):
        self.url = url.rstrip("/")
        self.token = token

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Authorization", "Bearer " + self.token)
        req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=10) as res:
                return res.status, json.loads(res.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")


def ticket_from_row(row, rng):
    urgency = row["urgency"]
    impact = {"0": "high", "1": "high", "2": "medium", "3": "medium", "4": "low"}.get(row["impact"], "medium")
    ticket_type = "incident" if row["ticket_type"] == "1" else "request"
    skills = {ticket_type: 3 if urgency in ("0", "1") else 1}
    if urgency == "0":
        skills["major"] = 3
    return {
        "subject": row["title"] or "(no subject)",
        "body": row["body"],
        "channel": rng.choice(CHANNELS),
        "urgency": URGENCY_LEVEL.get(urgency, "medium"),
        "impact": impact,
        # No team: the server's classifier picks it (low confidence: Triage).
        "required_skills": skills,
        # The customers of config/demo-customers.csv: their records give the
        # tier (and the organisation, by domain).
        "requester": {"email": requester(rng.randint(1, 400)), "name": "Customer"},
        "tags": ["demo", ticket_type],
    }


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", default="http://127.0.0.1:8080")
    p.add_argument("--token", required=True)
    p.add_argument("--csv", required=True)
    p.add_argument("--rate", type=float, default=2.0, help="tickets per second (default 2)")
    p.add_argument("--work", type=float, nargs=2, default=[20, 90], metavar=("MIN", "MAX"),
                   help="seconds an agent takes to solve a ticket (default 20 90)")
    p.add_argument("--limit", type=int, default=0, help="stop after this many tickets (default: run until stopped)")
    p.add_argument("--triager-token", help="an agent token of the Triage team: she sends its tickets on")
    args = p.parse_args()

    sys.stdout.reconfigure(line_buffering=True)
    api = Api(args.url, args.token)
    rows = list(csv.DictReader(open(args.csv, newline="", encoding="utf-8")))
    rng = random.Random(42)
    status, agents = api.call("GET", "/api/v1/agents")
    if status != 200:
        sys.exit(f"demo traffic: cannot list agents ({status}): {agents}")
    names = {a["id"]: a["name"] for a in agents["agents"]}
    status, team_list = api.call("GET", "/api/v1/teams")
    teams = {t["id"]: t["name"] for t in team_list["teams"]}
    triager = Api(args.url, args.triager_token) if args.triager_token else None
    next_triage = time.time() + 3
    solve_at = {}        # ticket id -> when its agent solves it
    away_until = {}      # agent id -> when it comes back online
    next_report = time.time() + 10
    sent = 0
    interval = 1.0 / args.rate
    next_send = time.time()
    while not args.limit or sent < args.limit:
        now = time.time()
        if now >= next_send:
            row = rows[sent % len(rows)]
            status, t = api.call("POST", "/api/v1/tickets", ticket_from_row(row, rng))
            sent += 1
            next_send += interval
            if status != 201:
                print(f"  create failed ({status}): {t}")
            else:
                tri = t.get("triage") or {}
                guess = (f"[{teams.get(t['team'], t['team'])}: '{tri.get('predicted')}' "
                         f"{tri.get('confidence', 0):.2f}{' -> triage' if tri.get('sent_to_triage') else ''}]")
                head = f"#{t['id']:<5} {t['priority']:<7} {t['channel']:<6} {t['subject'][:34]:<34} {guess:<32}"
                if t["status"] == "closed":
                    print(f"{head} -> closed as spam by rule")
                elif t["assignee_id"]:
                    solve_at[t["id"]] = now + rng.uniform(*args.work)
                    print(f"{head} -> {names.get(t['assignee_id'], t['assignee_id'])} ({t['routing']['summary']})")
                else:
                    print(f"{head} -> waiting, queue position {t['queue_position']}")
        # Agents answer (most of the time in words; the first reply is the
        # first response) and finish their work.
        for tid, due in list(solve_at.items()):
            if due <= now:
                del solve_at[tid]
                status, t = api.call("GET", f"/api/v1/tickets/{tid}")
                if status == 200 and t["assignee_id"] and rng.random() < 0.8:
                    api.call("POST", f"/api/v1/tickets/{tid}/comments",
                             {"body": rng.choice(REPLIES), "author": {"type": "agent", "agent_id": t["assignee_id"]}})
                api.call("PATCH", f"/api/v1/tickets/{tid}", {"status": "solved"})
        # Tickets pulled from a queue by an agent with new room get a solve time
        # too; offers (teams with offer mode) are accepted, most of the time.
        if sent % 10 == 0:
            status, page = api.call("GET", "/api/v1/tickets?status=open&limit=100")
            if status == 200:
                for t in page["tickets"]:
                    if t["id"] not in solve_at and t["assignee_id"]:
                        solve_at[t["id"]] = now + rng.uniform(*args.work)
            status, page = api.call("GET", "/api/v1/tickets?status=new&limit=100")
            if status == 200:
                for t in page["tickets"]:
                    if t["offer_expires_at"] and rng.random() < 0.9:
                        status, accepted = api.call("POST", f"/api/v1/tickets/{t['id']}/accept", {})
                        if status == 200:
                            solve_at[t["id"]] = now + rng.uniform(*args.work)
                            print(f"   {names.get(t['assignee_id'], t['assignee_id'])} accepted #{t['id']}")
        # The triager works the Triage queue with her own token: each unsure
        # ticket goes to the classifier's guess (or the Service Desk), as a
        # person would after reading it.
        if triager and now >= next_triage:
            next_triage = now + 3
            status, page = triager.call("GET", "/api/v1/tickets?team=Triage&status=new,open&sort=created&limit=20")
            if status == 200:
                for t in page["tickets"]:
                    tri = t.get("triage") or {}
                    guess = tri.get("predicted_value") if tri.get("predicts") == "team" else None
                    target = guess if guess in teams.values() and guess != "Triage" else "Service Desk"
                    status, moved = triager.call("PATCH", f"/api/v1/tickets/{t['id']}", {"team": target})
                    if status == 200:
                        print(f"   Tess (triage) sent #{t['id']} to {target}")
        # Now and then someone steps away for a minute.
        if rng.random() < 0.002 and names:
            aid = rng.choice(list(names))
            if aid not in away_until:
                api.call("PUT", f"/api/v1/agents/{aid}/presence", {"presence": "offline"})
                away_until[aid] = now + 60
                print(f"   {names[aid]} went offline; their unstarted tickets go back to the queue")
        for aid, back in list(away_until.items()):
            if back <= now:
                del away_until[aid]
                api.call("PUT", f"/api/v1/agents/{aid}/presence", {"presence": "online"})
                print(f"   {names[aid]} is back online")
        if now >= next_report:
            next_report = now + 10
            status, q = api.call("GET", "/api/v1/queues")
            if status == 200:
                print("   queues: " + "; ".join(
                    f"{x['name']}: {x['waiting']} waiting, {x['agents_online']} online" for x in q["queues"]))
        time.sleep(max(0.0, min(next_send - time.time(), 0.2)))


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
