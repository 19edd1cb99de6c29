"""Read and write joule reference CSV v1 files (data/*.csv) without disturbing
what a rebuild does not change: the comment block is kept line for line, the
rows are written back with minimal quoting, so the diff shows only the figures
that moved."""
import csv
import io
import re


class RefCsv:
    def __init__(self, path):
        self.path = path
        text = open(path, encoding="utf-8").read()
        lines = text.split("\n")
        self.comments = [l for l in lines if l.startswith("#")]
        body = "\n".join(l for l in lines if not l.startswith("#"))
        rows = [r for r in csv.reader(io.StringIO(body)) if r]
        self.header = rows[0]
        self.rows = [dict(zip(self.header, r)) for r in rows[1:]]

    def add_column(self, name, description, after):
        if name in self.header:
            return
        self.header.insert(self.header.index(after) + 1, name)
        for r in self.rows:
            r.setdefault(name, "")
        anchor = f"#   {after}:"
        at = next(i for i, c in enumerate(self.comments) if c.startswith(anchor))
        self.comments.insert(at + 1, f"#   {name}: {description}")

    def set_comment(self, key, value):
        """Replaces the '# key: ...' line, or adds it after '# compiled:'."""
        line = f"# {key}: {value}"
        for i, c in enumerate(self.comments):
            if c.startswith(f"# {key}:"):
                self.comments[i] = line
                return
        at = next(i for i, c in enumerate(self.comments) if c.startswith("# compiled:"))
        self.comments.insert(at + 1, line)

    def save(self):
        self.comments = [
            re.sub(r"^# rows: \d+", f"# rows: {len(self.rows)}", c) for c in self.comments
        ]
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow(self.header)
        for r in self.rows:
            w.writerow([r.get(h, "") for h in self.header])
        with open(self.path, "w", encoding="utf-8") as f:
            f.write("\n".join(self.comments) + "\n" + out.getvalue())
