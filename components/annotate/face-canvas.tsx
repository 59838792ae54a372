'use client';

import type Konva from 'konva';
import { useEffect, useMemo, useRef, useState } from 'react';
import { Group, Image as KImage, Layer, Rect, Stage, Text, Transformer } from 'react-konva';
import { type Box, boxFromCorners, clampBox, isUsableBox } from '@/lib/domain/box';

export type CanvasFace = Box & { id: string; label?: string };

type View = { scale: number; x: number; y: number };

/**
 * The whole photo with its faces, drawn with Konva. Boxes live in original-image pixels: the
 * view (zoom + pan) is a transform on one group, so nothing is ever stored in screen pixels.
 * Draw (drawMode), move, resize with handles; wheel zooms at the pointer; dragging empty space
 * (or anything while `panning`) pans. `fitKey` changes → zoom to the selected face.
 */
export function FaceCanvas({
  src,
  width,
  height,
  faces,
  selectedId,
  drawMode,
  hideBoxes,
  panning,
  fitKey,
  onSelect,
  onChange,
  onCreate,
  viewportHeight = 560,
}: {
  src: string;
  width: number;
  height: number;
  faces: CanvasFace[];
  selectedId: string | null;
  drawMode: boolean;
  hideBoxes: boolean;
  panning: boolean;
  fitKey: string | number;
  onSelect(id: string): void;
  onChange(id: string, box: Box): void;
  onCreate(box: Box): void;
  viewportHeight?: number;
}) {
  const container = useRef<HTMLDivElement>(null);
  const [stageWidth, setStageWidth] = useState(800);
  const [image, setImage] = useState<HTMLImageElement | null>(null);
  const [view, setView] = useState<View>({ scale: 1, x: 0, y: 0 });
  const [draft, setDraft] = useState<{ ax: number; ay: number; bx: number; by: number } | null>(null);
  const selectedRef = useRef<Konva.Rect>(null);
  const transformer = useRef<Konva.Transformer>(null);

  useEffect(() => {
    const el = container.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setStageWidth(el.clientWidth));
    observer.observe(el);
    setStageWidth(el.clientWidth);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    const img = new window.Image();
    img.onload = () => setImage(img);
    img.src = src;
    return () => {
      img.onload = null;
    };
  }, [src]);

  const selected = faces.find((f) => f.id === selectedId) ?? null;

  // Fit: the selected face with generous context, else the whole image.
  useEffect(() => {
    const target = selected ? expand(selected, 1.5, width, height) : { x: 0, y: 0, w: width, h: height };
    const scale = Math.min(stageWidth / target.w, viewportHeight / target.h) * 0.95;
    setView({
      scale,
      x: stageWidth / 2 - (target.x + target.w / 2) * scale,
      y: viewportHeight / 2 - (target.y + target.h / 2) * scale,
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [fitKey, stageWidth, width, height, viewportHeight]);

  useEffect(() => {
    const tr = transformer.current;
    if (!tr) return;
    tr.nodes(selectedRef.current && !hideBoxes && !drawMode ? [selectedRef.current] : []);
    tr.getLayer()?.batchDraw();
  }, [selectedId, faces, hideBoxes, drawMode]);

  const toImage = (stage: Konva.Stage) => {
    const p = stage.getPointerPosition() ?? { x: 0, y: 0 };
    return { x: (p.x - view.x) / view.scale, y: (p.y - view.y) / view.scale };
  };

  function onWheel(e: Konva.KonvaEventObject<WheelEvent>) {
    e.evt.preventDefault();
    const stage = e.target.getStage();
    if (!stage) return;
    const pointer = stage.getPointerPosition() ?? { x: stageWidth / 2, y: viewportHeight / 2 };
    const factor = e.evt.deltaY < 0 ? 1.15 : 1 / 1.15;
    const scale = Math.min(40, Math.max(0.02, view.scale * factor));
    const ix = (pointer.x - view.x) / view.scale;
    const iy = (pointer.y - view.y) / view.scale;
    setView({ scale, x: pointer.x - ix * scale, y: pointer.y - iy * scale });
  }

  const draftBox = draft ? clampBox(boxFromCorners(draft.ax, draft.ay, draft.bx, draft.by), width, height) : null;
  const stroke = 2 / view.scale;
  const others = useMemo(() => faces.filter((f) => f.id !== selectedId), [faces, selectedId]);

  return (
    <div
      ref={container}
      className="face-canvas"
      data-testid="face-canvas"
      data-view={JSON.stringify(view)}
      data-ready={image ? 'true' : 'false'}
      data-boxes={hideBoxes ? 'hidden' : 'shown'}
      data-box={selected ? JSON.stringify({ x: selected.x, y: selected.y, w: selected.w, h: selected.h }) : ''}
      data-mode={drawMode ? 'draw' : panning ? 'pan' : 'edit'}
      style={{ height: viewportHeight }}
    >
      <Stage
        width={stageWidth}
        height={viewportHeight}
        onWheel={onWheel}
        draggable={!drawMode}
        x={view.x}
        y={view.y}
        onDragEnd={(e) => {
          if (e.target === e.target.getStage()) setView((v) => ({ ...v, x: e.target.x(), y: e.target.y() }));
        }}
        onMouseDown={(e) => {
          if (!drawMode) return;
          const stage = e.target.getStage();
          if (!stage) return;
          const p = toImage(stage);
          setDraft({ ax: p.x, ay: p.y, bx: p.x, by: p.y });
        }}
        onMouseMove={(e) => {
          if (!draft) return;
          const stage = e.target.getStage();
          if (!stage) return;
          const p = toImage(stage);
          setDraft((d) => (d ? { ...d, bx: p.x, by: p.y } : d));
        }}
        onMouseUp={() => {
          if (draftBox && isUsableBox(draftBox)) onCreate(draftBox);
          setDraft(null);
        }}
        style={{ cursor: drawMode ? 'crosshair' : panning ? 'grab' : 'default' }}
      >
        <Layer>
          <Group scaleX={view.scale} scaleY={view.scale}>
            {image && <KImage image={image} width={width} height={height} />}
            {!hideBoxes &&
              others.map((f) => (
                <Rect
                  key={f.id}
                  x={f.x}
                  y={f.y}
                  width={f.w}
                  height={f.h}
                  stroke="#ffd24d"
                  strokeWidth={stroke}
                  dash={[6 / view.scale, 4 / view.scale]}
                  onMouseDown={(e) => {
                    if (drawMode || panning) return;
                    e.cancelBubble = true;
                    onSelect(f.id);
                  }}
                />
              ))}
            {!hideBoxes && selected && (
              <>
                <Rect
                  ref={selectedRef}
                  x={selected.x}
                  y={selected.y}
                  width={selected.w}
                  height={selected.h}
                  stroke="#2fe07a"
                  strokeWidth={stroke * 1.5}
                  draggable={!drawMode && !panning}
                  onMouseDown={(e) => {
                    if (!panning) e.cancelBubble = true; // holding Space: the stage pans, even from the box
                  }}
                  onDragStart={(e) => {
                    e.cancelBubble = true;
                  }}
                  onDragEnd={(e) => {
                    e.cancelBubble = true;
                    onChange(selected.id, clampBox({ x: e.target.x(), y: e.target.y(), w: selected.w, h: selected.h }, width, height));
                  }}
                  onTransformEnd={(e) => {
                    const node = e.target;
                    const box = { x: node.x(), y: node.y(), w: node.width() * node.scaleX(), h: node.height() * node.scaleY() };
                    node.scaleX(1);
                    node.scaleY(1);
                    const clamped = clampBox(box, width, height);
                    if (isUsableBox(clamped)) onChange(selected.id, clamped);
                  }}
                />
                {selected.label && (
                  <Text
                    x={selected.x}
                    y={selected.y - 18 / view.scale}
                    text={selected.label}
                    fontSize={14 / view.scale}
                    fill="#2fe07a"
                    listening={false}
                  />
                )}
              </>
            )}
            {draftBox && <Rect {...{ x: draftBox.x, y: draftBox.y, width: draftBox.w, height: draftBox.h }} stroke="#4da3ff" strokeWidth={stroke} />}
          </Group>
          <Transformer ref={transformer} rotateEnabled={false} keepRatio={false} ignoreStroke flipEnabled={false} />
        </Layer>
      </Stage>
    </div>
  );
}

function expand(box: Box, factor: number, width: number, height: number): Box {
  const w = box.w * (1 + 2 * factor);
  const h = box.h * (1 + 2 * factor);
  return clampBox({ x: box.x + box.w / 2 - w / 2, y: box.y + box.h / 2 - h / 2, w, h }, width, height);
}
