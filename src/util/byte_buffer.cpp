#include "util/byte_buffer.hpp"

#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

namespace srvd::util {

ByteBuffer::ByteBuffer(ByteBuffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)),
      capacity_(std::exchange(other.capacity_, 0)) {}

ByteBuffer& ByteBuffer::operator=(ByteBuffer&& other) noexcept {
    if (this != &other) {
        std::free(data_);
        data_ = std::exchange(other.data_, nullptr);
        size_ = std::exchange(other.size_, 0);
        capacity_ = std::exchange(other.capacity_, 0);
    }
    return *this;
}

ByteBuffer::~ByteBuffer() {
    std::free(data_);
}

void ByteBuffer::reallocate(std::size_t capacity) {
    void* grown = std::realloc(data_, capacity);
    if (!grown) throw std::bad_alloc();
    data_ = static_cast<char*>(grown);
    capacity_ = capacity;
}

void ByteBuffer::append(std::string_view bytes) {
    if (bytes.empty()) return;
    if (size_ + bytes.size() > capacity_) {
        std::size_t capacity = capacity_ ? capacity_ : 4096;
        while (capacity < size_ + bytes.size()) capacity *= 2;
        reallocate(capacity);
    }
    std::memcpy(data_ + size_, bytes.data(), bytes.size());
    size_ += bytes.size();
}

void ByteBuffer::reserve(std::size_t capacity) {
    if (capacity > capacity_) reallocate(capacity);
}

void ByteBuffer::shrink_to_fit() {
    if (size_ == 0) {
        std::free(std::exchange(data_, nullptr));
        capacity_ = 0;
    } else if (size_ < capacity_) {
        reallocate(size_);
    }
}

} // namespace srvd::util
