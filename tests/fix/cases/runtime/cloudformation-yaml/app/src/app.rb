def handler(event:, context:)
  {}
end
