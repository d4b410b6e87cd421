"""The portable writer: any database, in batches of bulk_create(update_conflicts=True)."""

from collections.abc import Iterable

from mobility.imports.checking import UNIQUE_KEY, ValidRow
from mobility.models import MobilityFlow

_VALUES = ["participants", "female", "fewer_opportunities", "source"]


class BulkWriter:
    """Any database: existing flows are read per batch, then new and changed rows go through bulk_create."""

    path = "bulk_create"

    def __init__(self, created_by_id: int | None):
        self.created_by_id = created_by_id
        self.created = self.updated = 0

    def write(self, rows: Iterable[ValidRow], *, batch_size: int | None) -> None:
        batch: list[ValidRow] = []
        size = batch_size or 500
        for row in rows:
            batch.append(row)
            if len(batch) >= size:
                self._flush(batch)
                batch = []
        if batch:
            self._flush(batch)

    def _flush(self, batch: list[ValidRow]) -> None:
        stored = MobilityFlow.objects.filter(
            year__in={r.year for r in batch}, origin_id__in={r.origin_id for r in batch},
            destination_id__in={r.destination_id for r in batch},
        ).order_by().values_list(
            "year", "origin_id", "destination_id", "mode", "level", "programme", "reported_by_id",  # the key
            "participants", "female", "fewer_opportunities", "source", "is_demo",
        )
        existing = {row[:7]: row[7:] for row in stored}
        flows = []
        for row in batch:
            stored = existing.get(row.key)
            if stored == (row.participants, row.female, row.fewer_opportunities, row.source, False):
                continue
            if stored is None:
                self.created += 1
            else:
                self.updated += 1
            flows.append(MobilityFlow(
                year=row.year, origin_id=row.origin_id, destination_id=row.destination_id, mode=row.mode,
                level=row.level, reported_by_id=row.reported_by_id, participants=row.participants, female=row.female,
                fewer_opportunities=row.fewer_opportunities, programme=row.programme, source=row.source,
                is_demo=False, created_by_id=self.created_by_id,
            ))
        if flows:
            MobilityFlow.objects.bulk_create(
                flows, update_conflicts=True, unique_fields=list(UNIQUE_KEY),
                update_fields=[*_VALUES, "is_demo", "created_by", "updated_at"],
            )

    def finish(self) -> tuple[int, int]:
        return self.created, self.updated
