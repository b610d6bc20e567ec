# numpy_fixtures.py DIR: writes the .npy/.npz files tests/lua/numpy.lua
# reads, with NumPy itself, and DIR/manifest.lua describing them (what each
# file must load as, or which words its error must contain). Run with
# Debian's /usr/bin/python3 and python3-numpy.
import io
import os
import struct
import sys
import zipfile

import numpy as np

out = sys.argv[1]
lua = []  # lines of manifest.lua


def path(name):
    return os.path.join(out, name)


def lua_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def lua_values(a):
    return "{" + ",".join(repr(float(v)) for v in np.asarray(a, dtype=np.float64).ravel(order="C")) + "}"


rng = np.random.default_rng(20260219)

# ---- well-formed arrays: every dtype, order and byte order
lua.append("good = {")
dtypes = ["f2", "f4", "f8", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "b1"]
for dt in dtypes:
    for order in "CF":
        for bo in "<>":
            if dt in ("i1", "u1", "b1") and bo == ">":
                continue  # one byte: no byte order
            d = np.dtype(bo + dt)
            if dt.startswith("f"):
                a = rng.normal(size=(3, 4)) * 1e3
            elif dt == "b1":
                a = rng.integers(0, 2, size=(3, 4))
            elif dt.startswith("u"):
                a = rng.integers(0, 200, size=(3, 4))
            else:
                a = rng.integers(-100, 100, size=(3, 4))
            a = a.astype(d)
            a = np.asfortranarray(a) if order == "F" else np.ascontiguousarray(a)
            name = "good_%s_%s_%s.npy" % (dt, order, "le" if bo == "<" else "be")
            np.save(path(name), a)
            lua.append("  {file=%s, rows=3, cols=4, values=%s, what=%s}," % (
                lua_str(name), lua_values(a), lua_str("%s, %s order, %s" % (d.str, order, bo))))
# extremes of the integer types come through as doubles, exactly: every
# 32-bit integer, and the 64-bit ones a double holds (2^53 + 1 is not one:
# refused below)
for dt in ["i4", "u4"]:
    info = np.iinfo(dt)
    a = np.array([[info.min, info.max, 0]], dtype=dt)
    name = "extremes_%s.npy" % dt
    np.save(path(name), a)
    lua.append("  {file=%s, rows=1, cols=3, values=%s, what=%s}," % (
        lua_str(name), lua_values(a), lua_str("the extremes of " + dt)))
for bo in "<>":
    for dt, vals in [("i8", [-2 ** 63, 2 ** 63 - 2 ** 10, -(2 ** 53), 2 ** 53, 0]),
                     ("u8", [2 ** 64 - 2 ** 11, 2 ** 53, 2 ** 60 + 2 ** 8, 0, 1])]:
        a = np.array([vals], dtype=bo + dt)
        assert all(int(float(v)) == v for v in vals)
        name = "extremes_%s_%s.npy" % (dt, "le" if bo == "<" else "be")
        np.save(path(name), a)
        lua.append("  {file=%s, rows=1, cols=5, values=%s, what=%s}," % (
            lua_str(name), lua_values(a), lua_str("the exact extremes of " + bo + dt)))
# float16 (a model saved with .half()): the extremes, subnormals and -0 are exact
a = np.array([[65504, -65504, 2.0 ** -24, -(2.0 ** -14), -0.0, 1 / 3]], dtype="<f2")
np.save(path("extremes_f2.npy"), a)
lua.append("  {file=%s, rows=1, cols=6, values=%s, what=%s}," % (
    lua_str("extremes_f2.npy"), lua_values(a), lua_str("the extremes of float16")))
# 1-D: one point
a = rng.normal(size=7)
np.save(path("vector.npy"), a)
lua.append("  {file=%s, rows=1, cols=7, values=%s, what=%s}," % (lua_str("vector.npy"), lua_values(a), lua_str("a 1-D array is one point")))
# format versions 2.0 and 3.0
for version in [(1, 0), (2, 0), (3, 0)]:
    a = rng.normal(size=(2, 5))
    name = "version_%d.npy" % version[0]
    with open(path(name), "wb") as f:
        np.lib.format.write_array(f, a, version=version)
    lua.append("  {file=%s, rows=2, cols=5, values=%s, what=%s}," % (
        lua_str(name), lua_values(a), lua_str("format version %d.%d" % version)))
# a non-contiguous view is saved in C order by NumPy
a = rng.normal(size=(6, 8))[::2, 1::3]
np.save(path("strided.npy"), a)
lua.append("  {file=%s, rows=3, cols=3, values=%s, what=%s}," % (lua_str("strided.npy"), lua_values(a), lua_str("a strided view")))
lua.append("}")

# ---- archives: stored and deflated members
x_train = rng.normal(size=(4, 3)).astype(np.float32)
x_test = rng.integers(-5, 5, size=(2, 3)).astype(">i4")
np.savez(path("data.npz"), train_x=x_train, test_x=x_test)
np.savez_compressed(path("data_compressed.npz"), train_x=x_train, test_x=x_test)
np.savez(path("single.npz"), only=np.asfortranarray(x_train.astype(">f8")))
lua.append("archives = {")
for name in ["data.npz", "data_compressed.npz"]:
    for member, a in [("train_x", x_train), ("test_x", x_test)]:
        lua.append("  {file=%s, member=%s, rows=%d, cols=%d, values=%s}," % (
            lua_str(name), lua_str(member), a.shape[0], a.shape[1], lua_values(a)))
lua.append("  {file=%s, rows=4, cols=3, values=%s}," % (lua_str("single.npz"), lua_values(x_train)))
lua.append("}")

# ---- malformed files: each must fail with a message holding these words
bad = []


def header(d, version=1):
    h = repr(d).encode("latin1")
    if version == 1:
        return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h
    return b"\x93NUMPY" + bytes([version, 0]) + struct.pack("<I", len(h)) + h


def npy_with(d, data, version=1):
    return header(d, version) + data


def put(name, data, words):
    with open(path(name), "wb") as f:
        f.write(data)
    bad.append((name, words))


f8 = np.arange(6, dtype="<f8").tobytes()
ok_hdr = {"descr": "<f8", "fortran_order": False, "shape": (2, 3)}
put("bad_empty.npy", b"", ["bad_empty.npy", "not a .npy file"])
put("bad_magic.npy", b"PK\x03\x04" + b"\x00" * 40, ["not a .npy file", "magic"])
put("bad_version.npy", b"\x93NUMPY\x04\x00" + b"\x10\x00" + b"{}" + b" " * 14, ["version 4.0", "versions 1 to 3"])
put("bad_header_length.npy", b"\x93NUMPY\x01\x00\xff\xff{'descr'", ["truncated", "header"])
put("bad_not_dict.npy", npy_with("hello", f8), ["header is malformed"])
put("bad_no_shape.npy", npy_with({"descr": "<f8", "fortran_order": False}, f8), ["lacks 'shape'"])
put("bad_unknown_key.npy", npy_with({"descr": "<f8", "fortran_order": False, "shape": (2, 3), "x": 1}, f8), ["unknown key 'x'"])
put("bad_object.npy", npy_with({"descr": "|O", "fortran_order": False, "shape": (2, 3)}, f8), ["object arrays"])
put("bad_complex.npy", npy_with({"descr": "<c16", "fortran_order": False, "shape": (3,)}, f8), ["complex"])
put("bad_float16_inf.npy", npy_with({"descr": "<f2", "fortran_order": False, "shape": (3,)}, np.array([1, -np.inf, 3], "<f2").tobytes()), ["element (1, 2)", "infinite"])
put("bad_float128.npy", npy_with({"descr": "<f16", "fortran_order": False, "shape": (1,)}, b"\x00" * 16), ["float128", "not supported"])
put("bad_float_huge_size.npy", npy_with({"descr": "=f7039476560217360155", "fortran_order": False, "shape": (2, 2)}, b"\x00" * 32), ["float dtype", "not supported"])
put("bad_string_dtype.npy", npy_with({"descr": "<U3", "fortran_order": False, "shape": (1,)}, b"\x00" * 12), ["unsupported dtype '<U3'"])
put("bad_structured.npy", npy_with({"descr": [("a", "<f8")], "fortran_order": False, "shape": (6,)}, f8), ["structured"])
put("bad_rank3.npy", npy_with({"descr": "<f8", "fortran_order": False, "shape": (1, 2, 3)}, f8), ["3 dimensions", "2-D"])
put("bad_rank0.npy", npy_with({"descr": "<f8", "fortran_order": False, "shape": ()}, f8[:8]), ["0 dimensions"])
put("bad_zero_rows.npy", npy_with({"descr": "<f8", "fortran_order": False, "shape": (0, 3)}, b""), ["empty"])
put("bad_truncated.npy", npy_with(ok_hdr, f8[:-5]), ["truncated", "48 bytes"])
put("bad_trailing.npy", npy_with(ok_hdr, f8 + b"junk"), ["4 bytes after"])
put("bad_nan.npy", npy_with(ok_hdr, np.array([1, 2, np.nan, 4, 5, 6], "<f8").tobytes()), ["element (1, 3)", "NaN"])
put("bad_inf.npy", npy_with({"descr": "<f4", "fortran_order": True, "shape": (2, 2)}, np.array([1, np.inf, 3, 4], "<f4").tobytes()), ["element (2, 1)", "infinite"])
put("bad_huge_shape.npy", npy_with({"descr": "<f8", "fortran_order": False, "shape": (10**12, 10**12)}, f8), ["too large"])
put("bad_huge_truncated.npy", npy_with({"descr": "<f8", "fortran_order": False, "shape": (10**6, 10**4)}, f8), ["truncated"])
put("bad_overflow_dim.npy", npy_with({"descr": "<f8", "fortran_order": False, "shape": (10**30, 1)}, f8), ["too large"])
put("bad_shape_negative.npy", npy_with({"descr": "<f8", "fortran_order": False, "shape": (-1, 3)}, f8),
    ["shape is malformed", "whole number >= 0", "got '-'"])
put("bad_shape_list.npy", npy_with({"descr": "<f8", "fortran_order": False, "shape": [2, 3]}, f8), ["shape is not a tuple", "(3, 4)"])
put("bad_shape_float.npy", npy_with({"descr": "<f8", "fortran_order": False, "shape": (2.0, 3)}, f8), ["expected ',' or ')' after a dimension"])
put("bad_fortran_value.npy", npy_with({"descr": "<f8", "fortran_order": "maybe", "shape": (2, 3)}, f8), ["fortran_order"])
junk = (repr(ok_hdr) + " junk\n").encode("latin1")
put("bad_after_dict.npy", b"\x93NUMPY\x01\x00" + struct.pack("<H", len(junk)) + junk + f8,
    ["text after its closing '}'", "'junk"])
for bo in "<>":
    for dt, v, at in [("i8", 2 ** 53 + 1, 2), ("i8", 2 ** 63 - 1, 1), ("u8", 2 ** 64 - 1, 3), ("i8", -(2 ** 62) - 1, 3)]:
        a = np.zeros((2, 3), dtype=bo + dt)
        a.flat[at - 1] = v
        name = "bad_inexact_%s_%s_%d.npy" % (dt, "le" if bo == "<" else "be", at)
        with open(path(name), "wb") as f:
            np.save(f, a)
        put(name, open(path(name), "rb").read(), ["element (1, %d)" % at, "cannot hold exactly", "astype"])
# torch.save's archive layout (a pickle and raw storages), as torch 1.x writes it
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w") as zf:
    for member in ["model/data.pkl", "model/data/0", "model/version"]:
        zf.writestr(member, b"\x80\x02")
put("bad_torch_save.npz", buf.getvalue(), ["bad_torch_save.npz", "PyTorch file", "np.savez"])
put("bad_unclosed.npy", b"\x93NUMPY\x01\x00\x09\x00{'descr: ", ["not closed"])
put("bad_v2_truncated.npy", b"\x93NUMPY\x02\x00\x00", ["truncated"])
obj = io.BytesIO()
np.save(obj, np.array([[1, "a"]], dtype=object), allow_pickle=True)
put("bad_numpy_object.npy", obj.getvalue(), ["object arrays"])
put("bad_numpy_complex.npy", (lambda b: (np.save(b, np.ones((2, 2), np.complex64)), b.getvalue())[1])(io.BytesIO()), ["complex"])
# archives
put("bad_not_zip.npz", b"this is not a zip archive at all, just text\n" * 3, ["not an .npz file"])
with open(path("data.npz"), "rb") as f:
    z = f.read()
put("bad_truncated.npz", z[: len(z) // 2], ["not an .npz file"])
stored = bytearray(z)
i = stored.find(b"\x93NUMPY")
stored[i + 140] ^= 0x55          # a data byte of the first member
put("bad_crc.npz", bytes(stored), ["CRC"])
with open(path("data_compressed.npz"), "rb") as f:
    zc = bytearray(f.read())
zc[60:90] = b"\xff" * 30         # inside the first deflated member
put("bad_deflate.npz", bytes(zc), ["bad_deflate.npz:train_x"])
# a member that claims to inflate to far more than the memory budget
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
    zf.writestr("train_x.npy", b"\x00" * 1000)
zb = bytearray(buf.getvalue())
cd = zb.rfind(b"PK\x01\x02")
zb[cd + 24:cd + 28] = struct.pack("<I", 0xFFFFFFF0)   # uncompressed size in the directory
put("bad_bomb.npz", bytes(zb), ["memory"])
lua.append("bad = {")
for name, words in bad:
    lua.append("  {file=%s, words={%s}}," % (lua_str(name), ",".join(lua_str(w) for w in words)))
lua.append("}")

# ---- state dicts
def relu_forward(layers, X):
    h = X
    for W, b in layers:
        h = np.maximum(W @ h.T + (b[:, None] if b is not None else 0), 0).T
    return h


X = rng.normal(size=(16, 3))
np.save(path("X.npy"), X)
sd = {"0.weight": rng.normal(size=(5, 3)) * 0.8, "0.bias": rng.normal(size=5) * 0.1,
      "2.weight": rng.normal(size=(4, 5)) * 0.6, "2.bias": rng.normal(size=4) * 0.1,
      "10.weight": rng.normal(size=(2, 4)) * 0.7, "10.bias": rng.normal(size=2) * 0.1}
np.savez(path("init.npz"), **sd)
Y = relu_forward([(sd["0.weight"], sd["0.bias"]), (sd["2.weight"], sd["2.bias"]), (sd["10.weight"], sd["10.bias"])], X)
lua.append("forward = {file=%s, rows=%d, cols=%d, values=%s, keys={%s}}" % (
    lua_str("init.npz"), Y.shape[0], Y.shape[1], lua_values(Y), ",".join(lua_str(k) for k in sd)))
# nested names (layers.3.weight), float32, no biases, compressed
sd2 = {"layers.3.weight": rng.normal(size=(3, 4)).astype(np.float32),
       "layers.12.weight": rng.normal(size=(2, 3)).astype(np.float32),
       "layers.0.weight": rng.normal(size=(4, 3)).astype(np.float32)}
np.savez_compressed(path("nested.npz"), **sd2)
X3 = X[:, :3]
Y2 = relu_forward([(sd2[k].astype(np.float64), None) for k in ["layers.0.weight", "layers.3.weight", "layers.12.weight"]], X3)
lua.append("nested = {file=%s, rows=%d, cols=%d, values=%s}" % (lua_str("nested.npz"), Y2.shape[0], Y2.shape[1], lua_values(Y2)))
# named layers picked with keys=
sd3 = {"fc1.weight": rng.normal(size=(4, 3)), "fc1.bias": rng.normal(size=4),
       "out.weight": rng.normal(size=(1, 4)), "extra": np.ones(3)}
np.savez(path("named.npz"), **sd3)
Y3 = relu_forward([(sd3["fc1.weight"], sd3["fc1.bias"]), (sd3["out.weight"], None)], X)
lua.append("named = {file=%s, rows=%d, cols=%d, values=%s}" % (lua_str("named.npz"), Y3.shape[0], Y3.shape[1], lua_values(Y3)))
# residual: equal widths, h = h + relu(W h + b)
sd4 = {"0.weight": rng.normal(size=(3, 3)), "1.weight": rng.normal(size=(3, 3)), "1.bias": rng.normal(size=3)}
np.savez(path("residual.npz"), **sd4)
h = X
for W, b in [(sd4["0.weight"], np.zeros(3)), (sd4["1.weight"], sd4["1.bias"])]:
    h = h + np.maximum(h @ W.T + b, 0)
lua.append("residual = {file=%s, rows=%d, cols=%d, values=%s}" % (lua_str("residual.npz"), h.shape[0], h.shape[1], lua_values(h)))

# numbered names after the same text are ordered by number, not as text:
# fc1, fc2, fc10 (saved as sorted text: fc1, fc10, fc2), layer2.0, layer11.0
sd5 = {"fc1.weight": rng.normal(size=(4, 3)), "fc1.bias": rng.normal(size=4),
       "fc10.weight": rng.normal(size=(2, 5)),
       "fc2.weight": rng.normal(size=(5, 4)), "fc2.bias": rng.normal(size=5)}
np.savez(path("stems.npz"), **sd5)
Y5 = relu_forward([(sd5["fc1.weight"], sd5["fc1.bias"]), (sd5["fc2.weight"], sd5["fc2.bias"]),
                   (sd5["fc10.weight"], None)], X)
lua.append("stems = {file=%s, rows=%d, cols=%d, values=%s}" % (lua_str("stems.npz"), Y5.shape[0], Y5.shape[1], lua_values(Y5)))
sd6 = {"layer11.0.weight": rng.normal(size=(2, 4)), "layer2.0.weight": rng.normal(size=(4, 3))}
np.savez(path("stems2.npz"), **sd6)
Y6 = relu_forward([(sd6["layer2.0.weight"], None), (sd6["layer11.0.weight"], None)], X)
lua.append("stems2 = {file=%s, rows=%d, cols=%d, values=%s}" % (lua_str("stems2.npz"), Y6.shape[0], Y6.shape[1], lua_values(Y6)))

# malformed state dicts
sq = lambda: np.ones((3, 3))   # square: a wrong layer order would load without a shape error
bad_sd = [
    ("sd_mismatch.npz", {"0.weight": np.ones((5, 3)), "2.weight": np.ones((4, 6))}, ["'2.weight' is 4 x 6", "takes 5 inputs", "'0.weight'"]),
    ("sd_bias_size.npz", {"0.weight": np.ones((5, 3)), "0.bias": np.ones(4)}, ["'0.bias'", "'0.weight' has 5 rows"]),
    ("sd_weight_1d.npz", {"0.weight": np.ones(5)}, ["'0.weight' is 1-D"]),
    ("sd_unknown.npz", {"0.weight": np.ones((2, 2)), "bn.running_mean": np.ones(2)}, ["'bn.running_mean'", "keys="]),
    ("sd_orphan_bias.npz", {"0.weight": np.ones((2, 2)), "1.bias": np.ones(2)}, ["'1.bias'", "no weight"]),
    ("sd_unordered.npz", {"a.weight": np.ones((2, 2)), "b.weight": np.ones((2, 2))}, ["'a.weight'", "'b.weight'", "cannot be ordered"]),
    # names whose parts differ other than by a number say nothing of the order
    ("sd_named_head.npz", {"fc1.weight": sq(), "fc2.weight": sq(), "out.weight": sq()},
     ["'fc2.weight'", "'out.weight'", "cannot be ordered", "keys=", "'fc1', 'fc2', 'out'"]),
    ("sd_nested_head.npz", {"model.fc.0.weight": sq(), "model.fc.0.bias": np.ones(3), "model.fc.2.weight": sq(), "head.weight": sq()},
     ["'head.weight'", "'model.fc.0.weight'", "cannot be ordered", "'model.fc.0', 'model.fc.2', 'head'"]),
    ("sd_input_layer.npz", {"blocks.0.0.weight": sq(), "blocks.1.0.weight": sq(), "inp.weight": sq()},
     ["'inp.weight'", "cannot be ordered"]),
    ("sd_enc_dec.npz", {"enc1.weight": sq(), "enc2.weight": sq(), "dec1.weight": sq(), "dec2.weight": sq()},
     ["cannot be ordered", "'enc1', 'enc2', 'dec1', 'dec2'"]),
    ("sd_prefix.npz", {"fc.weight": sq(), "fc.0.weight": sq()}, ["'fc.weight'", "'fc.0.weight'", "cannot be ordered"]),
    ("sd_layernorm.npz", {"0.weight": sq(), "1.weight": np.ones(3), "1.bias": np.ones(3), "2.weight": sq()},
     ["'1.weight' is 1-D", "normalisation", "keys="]),
    ("sd_no_weights.npz", {"x": np.ones(2)}, ["'x'"]),
    ("sd_complex.npz", {"0.weight": np.ones((2, 2), np.complex128)}, ["0.weight", "complex"]),
    ("sd_residual_widths.npz", {"0.weight": np.ones((4, 3))}, ["residual"]),
]
lua.append("bad_state = {")
for name, d, words in bad_sd:
    np.savez(path(name), **d)
    lua.append("  {file=%s, words={%s}}," % (lua_str(name), ",".join(lua_str(w) for w in words)))
lua.append("}")

with open(path("manifest.lua"), "w") as f:
    f.write("\n".join(lua) + "\n")
