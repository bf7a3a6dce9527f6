#pragma once
// Building example records in tests.

#include "data/example_record.h"

namespace ft::test {

inline ExampleRecord examplePair(const QString& instruction, const QString& response, const QString& input = {},
                                 const QString& system = {})
{
    ExampleRecord record;
    record.instruction = instruction;
    record.response = response;
    record.input = input;
    record.system = system;
    return record;
}

} // namespace ft::test
