"""A tree that builds its nodes only when they are expanded, a batch at a time.

A 20,000-block parse result starts as one node per chunk; a chunk's blocks (and a JSON
value's children) are added the first time it is opened. No level ever gets more than
:data:`BATCH` nodes at once: the rest wait behind a "… N more" node (enter shows the next
batch), so a million chunks, or one chunk of a million blocks, opens as fast as a small one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Self

from rich.text import Text
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from reducto_tui.api.models import OCRLine, OCRResult, ParseBlock, ParseChunk
from reducto_tui.render import json_tree
from reducto_tui.render.parse import block_label, chunk_label
from reducto_tui.render.text import clean, shorten

#: Children added per expansion; the rest sit behind a "more" node. A chunk's label costs
#: ~0.4 ms, so 100 keep one batch under the 50 ms a frame may take (500 took ~110 ms).
BATCH = 100
#: Blocks either side of a selected block whose boxes the page drawing shows faintly.
NEIGHBOURS = 200

AddOne = Callable[[TreeNode["Node"], Any, int], None]


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

    def clear(self) -> Self:
        for node in self._tree_nodes.values():
            # Frozen by the app's gc.freeze, the nodes' cycles may outlive the tree; what
            # they show (chunks, the body behind them) must not.
            node.data = None
        super().clear()
        # Textual's clear (8.2) keeps every old node in the tree's id → node map (the old
        # root stays under id 0): the last result would live as long as the tree does.
        self._tree_nodes.clear()
        self._tree_nodes[self.root._id] = self.root
        self.cursor_line = -1  # nor may the cursor keep an old node
        return self

    def on_unmount(self) -> None:
        self.clear()  # the nodes hold the result: let it go with the pane, not later

    # ------------------------------------------------------------------ building

    def add_chunks(self, parent: TreeNode[Node], chunks: Sequence[ParseChunk]) -> None:
        self._batch(parent, chunks, 0, self._add_chunk)

    def _add_chunk(self, parent: TreeNode[Node], chunk: ParseChunk, index: int) -> None:
        parent.add(
            chunk_label(index, chunk),
            data=Node("chunk", chunk, offset=index),
            allow_expand=bool(chunk.blocks),
        )

    def _add_block(self, parent: TreeNode[Node], block: ParseBlock, index: int) -> None:
        parent.add_leaf(block_label(block), data=Node("block", block, loaded=True, offset=index))

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
            items, add = node.data.value
            node.remove()
            self._batch(parent, items, node.data.offset, add)

    def _load(self, node: TreeNode[Node]) -> None:
        data = node.data
        if data is None:
            return
        data.loaded = True
        if data.kind == "chunk":
            chunk: ParseChunk = data.value
            if chunk.enriched:
                node.add_leaf(
                    Text("enriched: ", style="bold")
                    + Text(shorten(clean(chunk.enriched, True), 200)),
                    data=Node("text", chunk.enriched, loaded=True),
                )
            self._batch(node, chunk.blocks, 0, self._add_block)
        elif data.kind == "ocr":
            ocr: OCRResult = data.value
            self._batch(node, ocr.lines, 0, self._add_ocr_line)
        elif data.kind == "json":
            value = data.value
            items: Sequence[Any] = value if isinstance(value, list) else list(value.items())
            self._batch(
                node, items, 0, self._add_item if isinstance(value, list) else self._add_pair
            )

    def _add_ocr_line(self, parent: TreeNode[Node], line: OCRLine, index: int) -> None:
        parent.add_leaf(
            Text(f"line p.{line.bbox.page}: ", style="dim") + Text(clean(line.text or "", True)),
            data=Node("text", line.text or "", loaded=True),
        )

    def _add_item(self, parent: TreeNode[Node], value: Any, index: int) -> None:
        self.add_value(parent, f"[{index}]", value)

    def _add_pair(self, parent: TreeNode[Node], pair: tuple[Any, Any], index: int) -> None:
        self.add_value(parent, str(pair[0]), pair[1])

    def _batch(
        self, parent: TreeNode[Node], items: Sequence[Any], offset: int, add: AddOne
    ) -> None:
        """Add ``items[offset:offset + BATCH]``, then a node that adds the next batch."""
        end = min(len(items), offset + BATCH)
        for index in range(offset, end):
            add(parent, items[index], index)
        if end < len(items):
            parent.add_leaf(
                Text(f"… {len(items) - end:,} more (enter to show)", style="italic"),
                data=Node("more", (items, add), loaded=True, offset=end),
            )

    @staticmethod
    def neighbours(node: TreeNode[Node]) -> list[ParseBlock]:
        """The blocks near a block node's in its chunk (bounded, however big the chunk)."""
        parent = node.parent
        if node.data is None or parent is None or parent.data is None:
            return []
        if parent.data.kind != "chunk":
            return []
        blocks: Sequence[ParseBlock] = parent.data.value.blocks
        index = node.data.offset
        low, high = max(0, index - NEIGHBOURS), min(len(blocks), index + NEIGHBOURS + 1)
        return [blocks[n] for n in range(low, high) if n != index]

    @staticmethod
    def block_of(node: TreeNode[Node] | None) -> ParseBlock | None:
        if node is not None and node.data is not None and node.data.kind == "block":
            block: ParseBlock = node.data.value
            return block
        return None
