// Gives each record a document of its own, so a SourceNode stays valid after the reader has
// moved on (the streaming reader frees what it has passed).
#pragma once

#include <libxml/tree.h>

#include <memory>

namespace opcat::adapters {

// Owns one record's document; shared by the record's node and its children.
using SharedXmlDoc = std::shared_ptr<xmlDoc>;

// Takes the subtree of `expanded` (the record element just expanded by the streaming reader)
// into a new document whose root element is a copy of the record element; returns it. The
// children are moved, not copied: copying and freeing every node twice cost a third of the
// reader's time. What the reader keeps is the record element, emptied, which it frees as it
// moves on. The new document shares the reader's dictionary (names and short texts live there).
SharedXmlDoc adopt_record(xmlNodePtr expanded);

}  // namespace opcat::adapters
