"""A tree that builds its nodes only when they are expanded.

A 20,000-block parse result starts as one node per chunk; a chunk's blocks (and a JSON
value's children) are added the first time it is opened.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from reducto_tui.api.models import OCRResult, ParseBlock, ParseChunk
from reducto_tui.render import json_tree
from reducto_tui.render.parse import block_label, chunk_label
from reducto_tui.render.text import clean, shorten

#: Children added per expansion; the rest sit behind a "more" node (huge OCR lists).
BATCH = 500


@dataclass
class Node:
    kind: str  # chunk | block | json | ocr | more | text
    value: Any
    loaded: bool = False
    offset: int = 0


class ResultTree(Tree[Node]):
    DEFAULT_CSS = "ResultTree { height: 1fr; overflow-x: hidden; }"

    def __init__(self, label: str = "result", *, id: str | None = None) -> None:
        super().__init__(Text(label, style="bold"), data=Node("text", None, loaded=True), id=id)
        self.show_root = False
        self.guide_depth = 3

    # ------------------------------------------------------------------ building

    def add_chunks(self, parent: TreeNode[Node], chunks: list[ParseChunk]) -> None:
        for n, chunk in enumerate(chunks):
            parent.add(
                chunk_label(n, chunk), data=Node("chunk", chunk), allow_expand=bool(chunk.blocks)
            )

    def add_ocr(self, parent: TreeNode[Node], ocr: OCRResult) -> None:
        label = Text(f"OCR: {len(ocr.lines):,} lines, {len(ocr.words):,} words", style="bold")
        parent.add(label, data=Node("ocr", ocr), allow_expand=bool(ocr.lines or ocr.words))

    def add_value(
        self, parent: TreeNode[Node], key: str, value: Any, expand: bool = False
    ) -> TreeNode[Node]:
        node = parent.add(
            json_tree.label(key, value),
            data=Node("json", value),
            allow_expand=json_tree.has_children(value),
        )
        if expand and json_tree.has_children(value):
            self._load(node)
            node.expand()
            # A one-item list (extract's usual [record]) says nothing: open the record too.
            if isinstance(value, list) and len(value) == 1 and node.children:
                only = node.children[0]
                if only.data is not None and not only.data.loaded:
                    self._load(only)
                    only.expand()
        return node

    def add_section(self, title: str) -> TreeNode[Node]:
        return self.root.add(
            Text(title, style="bold underline"), data=Node("text", None, loaded=True), expand=True
        )

    # ------------------------------------------------------------------ laziness

    def on_tree_node_expanded(self, event: Tree.NodeExpanded[Node]) -> None:
        node = event.node
        if node.data is not None and not node.data.loaded:
            self._load(node)

    def on_tree_node_selected(self, event: Tree.NodeSelected[Node]) -> None:
        node = event.node
        if node.data is not None and node.data.kind == "more" and node.parent is not None:
            parent = node.parent
            node.remove()
            if parent.data is not None:
                self._load(parent, offset=node.data.offset)

    def _load(self, node: TreeNode[Node], offset: int = 0) -> None:
        data = node.data
        if data is None:
            return
        data.loaded = True
        if data.kind == "chunk":
            chunk: ParseChunk = data.value
            for block in chunk.blocks:
                node.add_leaf(block_label(block), data=Node("block", block, loaded=True))
            if chunk.enriched:
                node.add_leaf(
                    Text("enriched: ", style="bold")
                    + Text(shorten(clean(chunk.enriched, True), 200)),
                    data=Node("text", chunk.enriched, loaded=True),
                )
        elif data.kind == "ocr":
            ocr: OCRResult = data.value
            self._add_batch(
                node, [(f"line p.{ln.bbox.page}", ln.text or "") for ln in ocr.lines], offset
            )
        elif data.kind == "json":
            items = json_tree.children(data.value)
            end = min(len(items), offset + BATCH)
            for key, value in items[offset:end]:
                self.add_value(node, key, value)
            if end < len(items):
                node.add_leaf(
                    Text(f"… {len(items) - end:,} more (enter to show)", style="italic"),
                    data=Node("more", None, loaded=True, offset=end),
                )

    def _add_batch(self, node: TreeNode[Node], items: list[tuple[str, str]], offset: int) -> None:
        end = min(len(items), offset + BATCH)
        for key, text in items[offset:end]:
            node.add_leaf(
                Text(f"{key}: ", style="dim") + Text(clean(text, True)),
                data=Node("text", text, loaded=True),
            )
        if end < len(items):
            node.add_leaf(
                Text(f"… {len(items) - end:,} more (enter to show)", style="italic"),
                data=Node("more", None, loaded=True, offset=end),
            )

    @staticmethod
    def block_of(node: TreeNode[Node] | None) -> ParseBlock | None:
        if node is not None and node.data is not None and node.data.kind == "block":
            block: ParseBlock = node.data.value
            return block
        return None
