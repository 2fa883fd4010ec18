#include "adapters/readers/xml/record_document.hpp"

#include <libxml/dict.h>

#include <new>

namespace opcat::adapters {

SharedXmlDoc adopt_record(xmlNodePtr expanded) {
  SharedXmlDoc doc(xmlNewDoc(reinterpret_cast<const xmlChar*>("1.0")), xmlFreeDoc);
  if (doc == nullptr) throw std::bad_alloc();
  // The moved nodes' names and some of their texts belong to the reader's dictionary: freeing
  // them must go through the same dictionary, which the reference keeps alive after the reader.
  if (expanded->doc != nullptr && expanded->doc->dict != nullptr) {
    doc->dict = expanded->doc->dict;
    xmlDictReference(doc->dict);
  }
  // The element itself with its attributes and namespace declarations (extended = 2), so the
  // reader can still free its own, emptied, element.
  xmlNodePtr root = xmlDocCopyNode(expanded, doc.get(), 2);
  if (root == nullptr) throw std::bad_alloc();
  xmlDocSetRootElement(doc.get(), root);

  root->children = expanded->children;
  root->last = expanded->last;
  expanded->children = nullptr;
  expanded->last = nullptr;
  for (xmlNodePtr child = root->children; child != nullptr; child = child->next) {
    child->parent = root;
  }
  xmlSetListDoc(root->children, doc.get());
  // Namespaces the moved nodes use may be declared on the record element or its ancestors,
  // which stay (and die) with the reader: redeclare them in the new tree.
  if (xmlReconciliateNs(doc.get(), root) < 0) throw std::bad_alloc();
  return doc;
}

}  // namespace opcat::adapters
