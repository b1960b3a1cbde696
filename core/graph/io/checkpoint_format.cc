#include "core/graph/io/checkpoint_format.h"

#include <array>
#include <bit>
#include <cstring>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"

namespace graphrt {
namespace {

static_assert(std::endian::native == std::endian::little,
              "checkpoints store tensors little-endian as they lie in memory");

// Bounds that keep a hostile index from asking for absurd work.
constexpr int kMaxRank = 32;
constexpr int64_t kMaxElements = int64_t{1} << 40;  // Tensor::FromBytes' limit

constexpr std::array<uint32_t, 256> MakeCrcTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  return table;
}
constexpr std::array<uint32_t, 256> kCrcTable = MakeCrcTable();

template <typename T>
void Put(std::string& out, T value) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  out.append(bytes, sizeof(T));
}

// Reads little-endian fields from a byte range, refusing to run past it.
class Reader {
 public:
  Reader(absl::string_view bytes, absl::string_view what) : bytes_(bytes), what_(what) {}
  template <typename T>
  absl::StatusOr<T> Get() {
    if (bytes_.size() - pos_ < sizeof(T)) return Overrun(sizeof(T));
    T value;
    std::memcpy(&value, bytes_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return value;
  }
  absl::StatusOr<absl::string_view> Bytes(size_t n) {
    if (bytes_.size() - pos_ < n) return Overrun(n);
    absl::string_view out = bytes_.substr(pos_, n);
    pos_ += n;
    return out;
  }
  bool done() const { return pos_ == bytes_.size(); }
  size_t pos() const { return pos_; }

 private:
  absl::Status Overrun(size_t n) const {
    return absl::DataLossError(absl::StrCat("checkpoint is corrupt: ", what_, " needs ", n,
                                            " more bytes at offset ", pos_, " of ",
                                            bytes_.size()));
  }
  absl::string_view bytes_;
  absl::string_view what_;
  size_t pos_ = 0;
};

absl::Status Corrupt(absl::string_view why) {
  return absl::DataLossError(absl::StrCat("checkpoint is corrupt: ", why));
}

absl::Status CheckEntry(const CheckpointEntry& e) {
  if (e.name.empty() || e.name.size() > 0xFFFF) {
    return absl::InvalidArgumentError(absl::StrCat(
        "checkpoint entry names must have 1 to 65535 bytes; got ", e.name.size()));
  }
  if (!e.value.IsInitialized() || e.value.dtype() == DataType::kResource ||
      DataTypeSize(e.value.dtype()) == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "checkpoint entry '", e.name, "' is ", e.value.ShapeString(),
        ": only initialised tensors of numeric or bool dtypes can be saved"));
  }
  if (!e.value.host_accessible()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "checkpoint entry '", e.name, "' is in device memory: copy it to the host first"));
  }
  return absl::OkStatus();
}

// One index entry: name, dtype and shape, checked.
struct IndexEntry {
  std::string name;
  DataType dtype = DataType::kInvalid;
  TensorShape shape;
  uint64_t offset = 0;
  uint64_t bytes = 0;
  uint32_t crc = 0;
};

absl::StatusOr<IndexEntry> ReadIndexEntry(Reader& r, int i) {
  IndexEntry e;
  ASSIGN_OR_RETURN(uint16_t name_len, r.Get<uint16_t>());
  ASSIGN_OR_RETURN(absl::string_view name, r.Bytes(name_len));
  if (name.empty()) return Corrupt(absl::StrCat("entry ", i, " has an empty name"));
  e.name = std::string(name);
  const std::string who = absl::StrCat("entry '", absl::CHexEscape(e.name), "'");
  ASSIGN_OR_RETURN(uint8_t dtype_len, r.Get<uint8_t>());
  ASSIGN_OR_RETURN(absl::string_view dtype_name, r.Bytes(dtype_len));
  absl::StatusOr<DataType> dtype = ParseDataType(dtype_name);
  if (!dtype.ok() || *dtype == DataType::kResource || DataTypeSize(*dtype) == 0) {
    return Corrupt(absl::StrCat(who, " has dtype '", absl::CHexEscape(dtype_name),
                                "', which a checkpoint cannot hold"));
  }
  e.dtype = *dtype;
  ASSIGN_OR_RETURN(uint8_t rank, r.Get<uint8_t>());
  if (rank > kMaxRank) {
    return Corrupt(absl::StrCat(who, " has rank ", rank, " (at most ", kMaxRank, ")"));
  }
  std::vector<int64_t> dims;
  int64_t nonzero_product = 1;  // bounded, so no partial product can overflow
  for (int d = 0; d < rank; ++d) {
    ASSIGN_OR_RETURN(int64_t dim, r.Get<int64_t>());
    if (dim < 0 || dim > kMaxElements) {
      return Corrupt(absl::StrCat(who, " has dimension ", dim));
    }
    if (dim > 0) {
      if (nonzero_product > kMaxElements / dim) {
        return Corrupt(absl::StrCat(who, " has more than 2^40 elements"));
      }
      nonzero_product *= dim;
    }
    dims.push_back(dim);
  }
  e.shape = TensorShape(std::span<const int64_t>(dims));
  ASSIGN_OR_RETURN(e.offset, r.Get<uint64_t>());
  ASSIGN_OR_RETURN(e.bytes, r.Get<uint64_t>());
  ASSIGN_OR_RETURN(e.crc, r.Get<uint32_t>());
  const uint64_t expected =
      static_cast<uint64_t>(e.shape.num_elements()) * DataTypeSize(e.dtype);
  if (e.bytes != expected) {
    return Corrupt(absl::StrCat(who, " (", DataTypeName(e.dtype), e.shape.DebugString(),
                                ") claims ", e.bytes, " bytes; its shape needs ", expected));
  }
  return e;
}

}  // namespace

uint32_t Crc32(absl::string_view data, uint32_t crc) {
  crc = ~crc;
  for (unsigned char c : data) crc = kCrcTable[(crc ^ c) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

absl::Status WriteCheckpoint(std::span<const CheckpointEntry> entries,
                             absl::FunctionRef<absl::Status(absl::string_view)> write) {
  absl::flat_hash_set<absl::string_view> names;
  std::string index;
  uint64_t offset = 0;
  for (const CheckpointEntry& e : entries) {
    RETURN_IF_ERROR(CheckEntry(e));
    if (!names.insert(e.name).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("checkpoint entry '", e.name, "' appears twice"));
    }
    const absl::string_view dtype = DataTypeName(e.value.dtype());
    const absl::string_view data(static_cast<const char*>(e.value.raw_data()),
                                 e.value.TotalBytes());
    Put<uint16_t>(index, static_cast<uint16_t>(e.name.size()));
    index += e.name;
    Put<uint8_t>(index, static_cast<uint8_t>(dtype.size()));
    index.append(dtype.data(), dtype.size());
    Put<uint8_t>(index, static_cast<uint8_t>(e.value.rank()));
    for (int64_t d : e.value.shape().dims()) Put<int64_t>(index, d);
    Put<uint64_t>(index, offset);
    Put<uint64_t>(index, data.size());
    Put<uint32_t>(index, Crc32(data));
    offset += data.size();
  }
  std::string header(kCheckpointMagic, sizeof(kCheckpointMagic));
  Put<uint32_t>(header, kCheckpointVersion);
  Put<uint32_t>(header, static_cast<uint32_t>(entries.size()));
  Put<uint64_t>(header, index.size());
  Put<uint64_t>(header, offset);
  Put<uint32_t>(header, Crc32(index));
  Put<uint32_t>(header, Crc32(header));
  RETURN_IF_ERROR(write(header));
  RETURN_IF_ERROR(write(index));
  for (const CheckpointEntry& e : entries) {
    if (e.value.TotalBytes() == 0) continue;
    RETURN_IF_ERROR(write(absl::string_view(static_cast<const char*>(e.value.raw_data()),
                                            e.value.TotalBytes())));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> SerializeCheckpoint(std::span<const CheckpointEntry> entries) {
  std::string out;
  RETURN_IF_ERROR(WriteCheckpoint(entries, [&](absl::string_view piece) {
    out.append(piece.data(), piece.size());
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<std::vector<CheckpointEntry>> ParseCheckpoint(absl::string_view bytes) {
  if (bytes.size() < kCheckpointHeaderBytes) {
    if (bytes.size() >= sizeof(kCheckpointMagic) &&
        std::memcmp(bytes.data(), kCheckpointMagic, sizeof(kCheckpointMagic)) != 0) {
      return Corrupt("bad magic: not a graphrt checkpoint");
    }
    return Corrupt(absl::StrCat("truncated: ", bytes.size(), " bytes, shorter than the ",
                                kCheckpointHeaderBytes, "-byte header"));
  }
  if (std::memcmp(bytes.data(), kCheckpointMagic, sizeof(kCheckpointMagic)) != 0) {
    return Corrupt("bad magic: not a graphrt checkpoint");
  }
  Reader header(bytes.substr(0, kCheckpointHeaderBytes), "the header");
  ASSIGN_OR_RETURN(absl::string_view magic, header.Bytes(sizeof(kCheckpointMagic)));
  (void)magic;
  ASSIGN_OR_RETURN(uint32_t version, header.Get<uint32_t>());
  ASSIGN_OR_RETURN(uint32_t count, header.Get<uint32_t>());
  ASSIGN_OR_RETURN(uint64_t index_size, header.Get<uint64_t>());
  ASSIGN_OR_RETURN(uint64_t data_size, header.Get<uint64_t>());
  ASSIGN_OR_RETURN(uint32_t index_crc, header.Get<uint32_t>());
  ASSIGN_OR_RETURN(uint32_t header_crc, header.Get<uint32_t>());
  if (Crc32(bytes.substr(0, kCheckpointHeaderBytes - 4)) != header_crc) {
    return Corrupt("the header's checksum does not match");
  }
  if (version == 0 || version > kCheckpointVersion) {
    return absl::InvalidArgumentError(absl::StrCat(
        "checkpoint format version ", version, " is not one this graphrt reads (1 to ",
        kCheckpointVersion, "); read it with the graphrt that wrote it"));
  }
  const uint64_t body = bytes.size() - kCheckpointHeaderBytes;
  if (index_size > body || data_size != body - index_size) {
    return Corrupt(absl::StrCat(
        body < index_size || body - index_size < data_size ? "truncated" : "trailing bytes",
        ": the header describes ", kCheckpointHeaderBytes, " + ", index_size, " + ", data_size,
        " bytes, the file has ", bytes.size()));
  }
  const absl::string_view index = bytes.substr(kCheckpointHeaderBytes, index_size);
  const absl::string_view data = bytes.substr(kCheckpointHeaderBytes + index_size);
  if (Crc32(index) != index_crc) return Corrupt("the index's checksum does not match");

  Reader r(index, "the index");
  std::vector<CheckpointEntry> entries;
  absl::flat_hash_set<std::string> names;
  for (uint32_t i = 0; i < count; ++i) {
    ASSIGN_OR_RETURN(IndexEntry e, ReadIndexEntry(r, static_cast<int>(i)));
    const std::string who = absl::StrCat("entry '", absl::CHexEscape(e.name), "'");
    if (!names.insert(e.name).second) return Corrupt(absl::StrCat(who, " appears twice"));
    if (e.offset > data.size() || e.bytes > data.size() - e.offset) {
      return Corrupt(absl::StrCat(who, "'s data (", e.bytes, " bytes at ", e.offset,
                                  ") lies outside the data section (", data.size(),
                                  " bytes)"));
    }
    const absl::string_view raw = data.substr(e.offset, e.bytes);
    if (Crc32(raw) != e.crc) {
      return Corrupt(absl::StrCat("the data of ", who, " does not match its checksum"));
    }
    ASSIGN_OR_RETURN(Tensor value, Tensor::FromBytes(e.dtype, e.shape, raw));
    entries.push_back({std::move(e.name), std::move(value)});
  }
  if (!r.done()) {
    return Corrupt(absl::StrCat("the index has ", index.size() - r.pos(),
                                " bytes after its ", count, " entries"));
  }
  return entries;
}

}  // namespace graphrt
