"""Exercise from the Airflow fundamentals lesson: build my own tiny DAG class
and a topological sort, to understand what the scheduler does.

This is plain Python; nothing here is an Airflow DAG.
"""

from collections import defaultdict, deque


class DAG:
    """A directed acyclic graph of named steps."""

    def __init__(self, name: str, tags: list[str] | None = None):
        self.name = name
        self.tags = tags or []
        self.edges: dict[str, set[str]] = defaultdict(set)
        self.nodes: set[str] = set()

    def add_edge(self, upstream: str, downstream: str) -> "DAG":
        self.nodes.update({upstream, downstream})
        self.edges[upstream].add(downstream)
        return self

    def order(self) -> list[str]:
        indegree = {node: 0 for node in self.nodes}
        for targets in self.edges.values():
            for target in targets:
                indegree[target] += 1
        queue = deque(sorted(n for n, d in indegree.items() if d == 0))
        result = []
        while queue:
            node = queue.popleft()
            result.append(node)
            for target in sorted(self.edges[node]):
                indegree[target] -= 1
                if indegree[target] == 0:
                    queue.append(target)
        if len(result) != len(self.nodes):
            raise ValueError(f"{self.name} has a cycle")
        return result


def dag(name: str) -> DAG:
    """Shortcut used in the notebook: dag("x").add_edge(...)."""
    return DAG(name)


taxi = DAG("taxi_pipeline", tags=["example"])
taxi.add_edge("download", "load").add_edge("load", "dbt_run").add_edge("dbt_run", "dbt_test")

weather = dag("weather")
weather.add_edge("fetch", "clean").add_edge("clean", "store")

if __name__ == "__main__":
    print(taxi.order())
    print(weather.order())
