"""Linli's own import-linter contract: an app is used by other apps only through its public modules.

`lint-imports` (in `make lint`) loads this module through `contract_types` in pyproject.toml. The
contract walks every direct import between two apps under the root package and keeps it only when the
imported module is the other app's package itself or one of its public modules:

- `actions` (writes) and `selectors` (reads), including their sub-domain splits (`actions/`,
  `actions_members.py`, `selectors_orgs.py`), but no underscore module inside them (`actions._common`);
- the names in `public_modules` that every app shares (`access`, `workflow`);
- the per-app extras in `app_public_modules` (`accounts.roles`, ...).

Apps in `read_only_apps` (dashboards, open311) may import only the modules in `read_only_modules`
(selectors, access, workflow, kinds) of another app: never an action, except the writes named in
`read_only_writes` (Open311's POST /requests files a case through `cases.actions`). `shared_apps` (core) are open to all, and
`importer_exemptions` (tests, migrations, the demo) may import anything. A new app is covered without
touching the configuration.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass

import grimp
from importlinter import Contract, ContractCheck, fields, output
from importlinter.application import contract_utils


@dataclass(frozen=True)
class Illegal:
    importer: str
    imported: str
    line_numbers: tuple[int, ...]
    reason: str


class AppPublicApiContract(Contract):
    type_name = "app_public_api"

    container = fields.StringField()
    public_modules = fields.ListField(subfield=fields.StringField())
    app_public_modules = fields.ListField(subfield=fields.StringField(), required=False)
    read_only_apps = fields.ListField(subfield=fields.StringField(), required=False)
    read_only_modules = fields.ListField(subfield=fields.StringField(), required=False)
    read_only_writes = fields.ListField(subfield=fields.StringField(), required=False)
    shared_apps = fields.ListField(subfield=fields.StringField(), required=False)
    importer_exemptions = fields.ListField(subfield=fields.StringField(), required=False)
    ignore_imports = fields.SetField(subfield=fields.ImportExpressionField(), required=False)
    unmatched_ignore_imports_alerting = fields.EnumField(
        contract_utils.AlertLevel, default=contract_utils.AlertLevel.ERROR
    )

    def _list(self, name: str) -> list[str]:
        value = getattr(self, name, None)
        return list(value or [])

    def _public(self, app: str, tail: list[str], public: set[str]) -> bool:
        """Whether `linli.<app>.<tail...>` is a public module of `app` given the allowed names."""
        if not tail:
            return True  # the package itself
        head = tail[0]
        if f"{app}.{head}" in set(self._list("app_public_modules")):
            return not any(part.startswith("_") for part in tail[1:])
        for name in public:
            if head == name or (name in ("actions", "selectors") and head.startswith(name + "_")):
                return not any(part.startswith("_") for part in tail[1:])
        return False

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        removal = contract_utils.remove_ignored_imports_and_report(
            graph=graph,
            ignore_imports=self.ignore_imports,  # type: ignore[arg-type]
            unmatched_alerting=self.unmatched_ignore_imports_alerting,  # type: ignore[arg-type]
        )
        container = str(self.container)
        public = set(self._list("public_modules"))
        read_only = set(self._list("read_only_apps"))
        read_only_public = set(self._list("read_only_modules"))
        shared = set(self._list("shared_apps"))
        exemptions = self._list("importer_exemptions")

        illegal: list[Illegal] = []
        for importer in sorted(graph.modules):
            parts = importer.split(".")
            if parts[0] != container or len(parts) < 2:
                continue
            if any(fnmatch.fnmatchcase(importer, pattern) for pattern in exemptions):
                continue
            source_app = parts[1]
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                target = imported.split(".")
                if target[0] != container or len(target) < 2:
                    continue
                target_app = target[1]
                if target_app == source_app or target_app in shared:
                    continue
                reason = ""
                if source_app in read_only:
                    module = ".".join(target[1:3])
                    if f"{source_app} -> {module}" in set(self._list("read_only_writes")):
                        allowed = self._public(target_app, target[2:], public)
                    else:
                        allowed = self._public(target_app, target[2:], read_only_public)
                    if not allowed:
                        reason = f"{source_app} only reads: {', '.join(sorted(read_only_public))}"
                elif target_app in read_only:
                    reason = f"nothing imports {target_app} (it only reads)"
                elif not self._public(target_app, target[2:], public):
                    reason = f"not a public module of {target_app}"
                if reason:
                    details = graph.get_import_details(importer=importer, imported=imported)
                    lines = tuple(sorted({d["line_number"] for d in details}))
                    illegal.append(Illegal(importer, imported, lines, reason))

        return ContractCheck(
            kept=not illegal,
            warnings=list(removal.warnings),
            ignored_import_count=removal.ignored_import_count,
            metadata={"illegal": illegal},
        )

    def render_broken_contract(self, check: ContractCheck) -> None:
        for item in check.metadata["illegal"]:
            output.print_error(
                f"- {item.importer} -> {item.imported} (l.{', '.join(map(str, item.line_numbers))}): "
                f"{item.reason}",
                bold=False,
            )
        output.new_line()
        output.print(
            "Use the other app through its actions (writes) and selectors (reads); see docs/architecture.md."
        )
