#pragma once
// A growable byte array kept by malloc and grown by realloc: once it is
// past malloc's mmap threshold, glibc grows it with mremap, moving pages
// instead of copying them, so appending to a buffer of hundreds of MB never
// holds the old and the new copy at once (std::string does: a signed zone's
// answers, 116 MB, held 204 MB while they were written) and its unused
// capacity is address space, not memory.
#include <cstddef>
#include <string_view>

namespace srvd::util {

class ByteBuffer {
  public:
    ByteBuffer() = default;
    ByteBuffer(const ByteBuffer&) = delete;
    ByteBuffer& operator=(const ByteBuffer&) = delete;
    ByteBuffer(ByteBuffer&& other) noexcept;
    ByteBuffer& operator=(ByteBuffer&& other) noexcept;
    ~ByteBuffer();

    void append(std::string_view bytes); // throws std::bad_alloc
    // Room for `capacity` bytes; appends within it never move the buffer.
    void reserve(std::size_t capacity);
    // Gives back the capacity past the end (once the buffer is complete).
    void shrink_to_fit();

    const char* data() const { return data_; }
    std::size_t size() const { return size_; }
    std::size_t capacity() const { return capacity_; }
    std::string_view view() const { return {data_, size_}; }
    bool operator==(const ByteBuffer& other) const { return view() == other.view(); }

  private:
    void reallocate(std::size_t capacity);

    char* data_ = nullptr;
    std::size_t size_ = 0, capacity_ = 0;
};

} // namespace srvd::util
