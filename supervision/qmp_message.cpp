// A bounded JSON tokenizer (validating the whole grammar) and QMP field extraction.
#include "supervision/qmp_message.hpp"

#include <cstdint>

namespace hal {
namespace {

enum class TokenType : uint8_t { kObject, kArray, kString, kPrimitive };

struct Token {
    TokenType type;
    uint32_t start, end;  // for strings: the contents without quotes
    uint32_t children;    // objects: keys + values; arrays: elements
    int32_t parent;
};

class JsonParser {
public:
    explicit JsonParser(std::string_view text) : text_(text) {}

    // Parses exactly one value spanning the whole text (surrounding whitespace allowed).
    bool parse(const char*& problem) {
        skip_space();
        if (!value(-1, 0, problem)) return false;
        skip_space();
        if (at_ != text_.size()) return fail(problem, "trailing data after the JSON value");
        return true;
    }
    const Token& token(size_t index) const { return tokens_[index]; }
    size_t count() const { return count_; }
    std::string_view view(const Token& token) const {
        return text_.substr(token.start, token.end - token.start);
    }

    // Index of the value stored under `key` in the object at `object`, or -1.
    int find(int object, std::string_view key) const {
        for (size_t i = static_cast<size_t>(object) + 1; i < count_; ++i) {
            if (tokens_[i].parent != object || tokens_[i].type != TokenType::kString) continue;
            if (view(tokens_[i]) == key && i + 1 < count_ &&
                tokens_[i + 1].parent == static_cast<int32_t>(i))
                return static_cast<int>(i + 1);
        }
        return -1;
    }

private:
    static bool fail(const char*& problem, const char* why) {
        problem = why;
        return false;
    }
    void skip_space() {
        while (at_ < text_.size() && (text_[at_] == ' ' || text_[at_] == '\t' ||
                                      text_[at_] == '\r' || text_[at_] == '\n'))
            ++at_;
    }
    int add(TokenType type, uint32_t start, int parent) {
        if (count_ >= kJsonMaxTokens) return -1;
        tokens_[count_] = Token{type, start, start, 0, parent};
        if (parent >= 0) ++tokens_[parent].children;
        return static_cast<int>(count_++);
    }

    bool value(int parent, unsigned depth, const char*& problem) {
        if (depth > kJsonMaxDepth) return fail(problem, "nesting too deep");
        if (at_ >= text_.size()) return fail(problem, "truncated value");
        const char c = text_[at_];
        if (c == '{' || c == '[') return container(parent, depth, problem);
        if (c == '"') return string(parent, problem);
        return primitive(parent, problem);
    }

    bool container(int parent, unsigned depth, const char*& problem) {
        const bool object = text_[at_] == '{';
        const char close = object ? '}' : ']';
        const int self = add(object ? TokenType::kObject : TokenType::kArray,
                             static_cast<uint32_t>(at_), parent);
        if (self < 0) return fail(problem, "too many JSON tokens");
        ++at_;
        skip_space();
        if (at_ < text_.size() && text_[at_] == close) {
            tokens_[self].end = static_cast<uint32_t>(++at_);
            return true;
        }
        while (true) {
            skip_space();
            if (object) {
                if (at_ >= text_.size() || text_[at_] != '"')
                    return fail(problem, "object key is not a string");
                if (!string(self, problem)) return false;
                const int key = static_cast<int>(count_ - 1);
                skip_space();
                if (at_ >= text_.size() || text_[at_] != ':')
                    return fail(problem, "missing ':' after key");
                ++at_;
                skip_space();
                if (!value(key, depth + 1, problem)) return false;
            } else if (!value(self, depth + 1, problem)) {
                return false;
            }
            skip_space();
            if (at_ >= text_.size()) return fail(problem, "unterminated object or array");
            if (text_[at_] == ',') {
                ++at_;
                continue;
            }
            if (text_[at_] != close) return fail(problem, "expected ',' or a closing bracket");
            tokens_[self].end = static_cast<uint32_t>(++at_);
            return true;
        }
    }

    bool string(int parent, const char*& problem) {
        const size_t start = ++at_;
        while (at_ < text_.size() && text_[at_] != '"') {
            const unsigned char c = static_cast<unsigned char>(text_[at_]);
            if (c < 0x20) return fail(problem, "control character in a string");
            if (c == '\\') {
                if (++at_ >= text_.size()) break;
                const char escape = text_[at_];
                if (escape == 'u') {
                    for (int i = 0; i < 4; ++i) {
                        if (++at_ >= text_.size()) return fail(problem, "truncated \\u escape");
                        const char h = text_[at_];
                        if (!((h >= '0' && h <= '9') || (h >= 'a' && h <= 'f') ||
                              (h >= 'A' && h <= 'F')))
                            return fail(problem, "bad \\u escape");
                    }
                } else if (escape != '"' && escape != '\\' && escape != '/' && escape != 'b' &&
                           escape != 'f' && escape != 'n' && escape != 'r' && escape != 't') {
                    return fail(problem, "bad escape in a string");
                }
            }
            ++at_;
        }
        if (at_ >= text_.size()) return fail(problem, "unterminated string");
        const int self = add(TokenType::kString, static_cast<uint32_t>(start), parent);
        if (self < 0) return fail(problem, "too many JSON tokens");
        tokens_[self].end = static_cast<uint32_t>(at_++);
        return true;
    }

    bool primitive(int parent, const char*& problem) {
        const size_t start = at_;
        while (at_ < text_.size()) {
            const char c = text_[at_];
            if (c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\r' || c == '\n')
                break;
            const bool allowed = (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' ||
                                 c == 'e' || c == 'E' || (c >= 'a' && c <= 'z');
            if (!allowed) return fail(problem, "unexpected character");
            ++at_;
        }
        const std::string_view word = text_.substr(start, at_ - start);
        const bool number = !word.empty() && (word[0] == '-' || (word[0] >= '0' && word[0] <= '9'));
        if (!(word == "true" || word == "false" || word == "null" || number))
            return fail(problem, "unknown literal");
        const int self = add(TokenType::kPrimitive, static_cast<uint32_t>(start), parent);
        if (self < 0) return fail(problem, "too many JSON tokens");
        tokens_[self].end = static_cast<uint32_t>(at_);
        return true;
    }

    std::string_view text_;
    size_t at_ = 0;
    Token tokens_[kJsonMaxTokens];
    size_t count_ = 0;
};

// query-stats returns [{"provider": ..., "qom-path": ..., "stats": [{"name": N, "value": V}]}];
// sums every value that is a plain unsigned number (histograms, lists, are not counted).
void sum_stats(const JsonParser& json, int returned, QmpMessage& message) {
    if (json.token(static_cast<size_t>(returned)).type != TokenType::kArray) return;
    for (size_t i = static_cast<size_t>(returned) + 1; i < json.count(); ++i) {
        if (json.token(i).parent != returned || json.token(i).type != TokenType::kObject) continue;
        const int stats = json.find(static_cast<int>(i), "stats");
        if (stats < 0 || json.token(static_cast<size_t>(stats)).type != TokenType::kArray) continue;
        for (size_t j = static_cast<size_t>(stats) + 1; j < json.count(); ++j) {
            if (json.token(j).parent != stats || json.token(j).type != TokenType::kObject) continue;
            const int value = json.find(static_cast<int>(j), "value");
            if (value < 0 || json.token(static_cast<size_t>(value)).type != TokenType::kPrimitive)
                continue;
            uint64_t number = 0;
            bool valid = true;
            const std::string_view digits = json.view(json.token(static_cast<size_t>(value)));
            for (const char c : digits) {
                const auto digit = static_cast<uint64_t>(c - '0');
                if (c < '0' || c > '9' || number > (UINT64_MAX - digit) / 10) {
                    valid = false;
                    break;
                }
                number = number * 10 + digit;
            }
            if (!valid || digits.empty()) continue;
            ++message.stat_values;
            message.stat_sum =
                UINT64_MAX - message.stat_sum < number ? UINT64_MAX : message.stat_sum + number;
        }
    }
}

QmpMessage invalid(const char* problem) {
    QmpMessage message;
    message.problem = problem;
    return message;
}

}  // namespace

QmpMessage parse_qmp_message(std::string_view text) {
    if (text.size() > kQmpMaxMessage) return invalid("message longer than the limit");
    JsonParser json(text);
    const char* problem = "";
    if (!json.parse(problem)) return invalid(problem);
    if (json.token(0).type != TokenType::kObject) return invalid("not a JSON object");
    auto string_at = [&](int index, std::string_view& out) {
        if (index < 0 || json.token(static_cast<size_t>(index)).type != TokenType::kString)
            return false;
        out = json.view(json.token(static_cast<size_t>(index)));
        return true;
    };
    QmpMessage message;
    string_at(json.find(0, "id"), message.id);
    if (json.find(0, "QMP") >= 0) {
        message.kind = QmpKind::kGreeting;
    } else if (const int returned = json.find(0, "return"); returned >= 0) {
        message.kind = QmpKind::kReturn;
        sum_stats(json, returned, message);
    } else if (const int error = json.find(0, "error"); error >= 0) {
        if (json.token(static_cast<size_t>(error)).type != TokenType::kObject)
            return invalid("error is not an object");
        message.kind = QmpKind::kError;
        string_at(json.find(error, "class"), message.error_class);
        string_at(json.find(error, "desc"), message.error_text);
    } else if (const int event = json.find(0, "event"); event >= 0) {
        if (!string_at(event, message.event)) return invalid("event name is not a string");
        message.kind = QmpKind::kEvent;
        const int data = json.find(0, "data");
        if (data >= 0 && json.token(static_cast<size_t>(data)).type == TokenType::kObject) {
            const int guest = json.find(data, "guest");
            if (guest >= 0 &&
                json.token(static_cast<size_t>(guest)).type == TokenType::kPrimitive) {
                const std::string_view value = json.view(json.token(static_cast<size_t>(guest)));
                message.has_guest = value == "true" || value == "false";
                message.guest = value == "true";
            }
            string_at(json.find(data, "reason"), message.reason);
            string_at(json.find(data, "action"), message.action);
        }
    } else {
        return invalid("no QMP, return, error or event member");
    }
    return message;
}

}  // namespace hal
