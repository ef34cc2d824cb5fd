"""Minimal safetensors reader/writer on numpy (no `safetensors` package here).

Format: 8-byte little-endian header length N, then N bytes of JSON
{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}},
then the raw little-endian tensor bytes; offsets are relative to the byte
after the header.
"""
import json
import struct

import numpy as np

# safetensors dtype tag -> numpy dtype (BF16 is widened by hand below)
_DTYPES = {
    "F64": np.float64,
    "F32": np.float32,
    "F16": np.float16,
    "I64": np.int64,
    "I32": np.int32,
    "I16": np.int16,
    "I8": np.int8,
    "U8": np.uint8,
    "BOOL": np.bool_,
}
_TAGS = {np.dtype(v): k for k, v in _DTYPES.items()}


class SafetensorsError(ValueError):
    pass


def _bf16_to_f32(raw: bytes) -> np.ndarray:
    # bfloat16 is the top half of a float32: shift into place.
    halves = np.frombuffer(raw, dtype="<u2").astype(np.uint32)
    return (halves << 16).view(np.float32)


def read_safetensors(path: str) -> dict:
    """name -> numpy array (a copy, native byte order)."""
    with open(path, "rb") as f:
        blob = f.read()
    if len(blob) < 8:
        raise SafetensorsError(f"{path}: too short to be a safetensors file")
    (n,) = struct.unpack("<Q", blob[:8])
    if 8 + n > len(blob):
        raise SafetensorsError(f"{path}: header length {n} exceeds file size {len(blob)}")
    try:
        header = json.loads(blob[8 : 8 + n].decode("utf-8"))
    except ValueError as e:
        raise SafetensorsError(f"{path}: header is not JSON ({e})")
    data = blob[8 + n :]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        tag = info["dtype"]
        shape = tuple(info["shape"])
        begin, end = info["data_offsets"]
        if end > len(data) or begin > end:
            raise SafetensorsError(f"{path}: tensor '{name}' offsets {begin}..{end} outside data ({len(data)} bytes)")
        raw = data[begin:end]
        if tag == "BF16":
            arr = _bf16_to_f32(raw)
        elif tag in _DTYPES:
            arr = np.frombuffer(raw, dtype=np.dtype(_DTYPES[tag]).newbyteorder("<"))
        else:
            raise SafetensorsError(f"{path}: tensor '{name}' has unsupported dtype {tag}")
        count = int(np.prod(shape)) if shape else 1
        if arr.size != count:
            raise SafetensorsError(f"{path}: tensor '{name}' has {arr.size} elements, shape {list(shape)} needs {count}")
        out[name] = arr.reshape(shape).astype(arr.dtype.newbyteorder("="), copy=True)
    return out


def bf16_bits(arr: np.ndarray) -> np.ndarray:
    """float32 -> bfloat16 bit patterns (uint16), rounded to nearest even as torch
    rounds; numpy has no bfloat16, so write_safetensors_lazy writes these as BF16."""
    import torch

    t = torch.from_numpy(np.ascontiguousarray(arr, dtype=np.float32)).to(torch.bfloat16)
    return t.view(torch.int16).numpy().view(np.uint16)


def write_safetensors(path: str, tensors: dict, metadata: dict = None) -> None:
    """Write name -> numpy array; tensors are laid out in sorted-name order."""
    header = {}
    chunks = []
    offset = 0
    for name in sorted(tensors):
        arr = np.ascontiguousarray(tensors[name])
        tag = _TAGS.get(arr.dtype)
        if tag is None:
            raise SafetensorsError(f"tensor '{name}': dtype {arr.dtype} cannot be written")
        raw = arr.astype(arr.dtype.newbyteorder("<"), copy=False).tobytes()
        header[name] = {"dtype": tag, "shape": list(arr.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    head = json.dumps(header, separators=(",", ":")).encode("utf-8")
    head += b" " * ((8 - len(head) % 8) % 8)  # keep tensor data 8-byte aligned, as the spec recommends
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for raw in chunks:
            f.write(raw)


def write_safetensors_lazy(path: str, specs: list, produce, metadata: dict = None) -> None:
    """Write tensors one at a time: specs lists (name, dtype tag, shape) and
    produce(name) returns that tensor's array (its bytes must match the tag).
    Only one tensor is in memory at a time, so files larger than memory can be
    written; the layout is write_safetensors' (sorted names, padded header)."""
    sizes = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1}
    header = {}
    offset = 0
    order = sorted(specs, key=lambda s: s[0])
    for name, tag, shape in order:
        n = int(np.prod(shape)) * sizes[tag]
        header[name] = {"dtype": tag, "shape": list(shape), "data_offsets": [offset, offset + n]}
        offset += n
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    head = json.dumps(header, separators=(",", ":")).encode("utf-8")
    head += b" " * ((8 - len(head) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for name, tag, shape in order:
            raw = np.ascontiguousarray(produce(name)).tobytes()
            want = header[name]["data_offsets"][1] - header[name]["data_offsets"][0]
            if len(raw) != want:
                raise SafetensorsError(f"tensor '{name}': produced {len(raw)} bytes, {tag} {list(shape)} needs {want}")
            f.write(raw)
