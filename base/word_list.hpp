// A list of words split once on white space and kept inside the object (copies stay valid):
// extra command-line arguments. No I/O.
#pragma once

#include <cstddef>
#include <cstring>
#include <string_view>

#include "base/text.hpp"

namespace hal {

template <size_t Capacity>
class WordList {
public:
    // Splits `text` on white space; false when the words do not fit (the list is then empty).
    bool assign(std::string_view text) {
        used_ = count_ = 0;
        std::string_view word;
        while (next_word(text, word)) {
            if (word.size() + 1 > Capacity - used_) {
                used_ = count_ = 0;
                return false;
            }
            std::memcpy(storage_ + used_, word.data(), word.size());
            storage_[used_ + word.size()] = '\0';
            used_ += word.size() + 1;
            ++count_;
        }
        return true;
    }
    size_t size() const { return count_; }
    bool empty() const { return count_ == 0; }
    // Calls visit(std::string_view) for each word in order.
    template <class Visit>
    void for_each(Visit&& visit) const {
        for (size_t at = 0; at < used_;) {
            const std::string_view word(storage_ + at);
            visit(word);
            at += word.size() + 1;
        }
    }
    bool operator==(const WordList& other) const {
        return used_ == other.used_ && count_ == other.count_ &&
               std::memcmp(storage_, other.storage_, used_) == 0;
    }

private:
    char storage_[Capacity] = {};
    size_t used_ = 0;
    size_t count_ = 0;
};

}  // namespace hal
