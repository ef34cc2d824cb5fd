import type { TopicSpec } from '../types';

export const cooking: TopicSpec = {
  id: 'cooking',
  domainWords: ['cook', 'cooking', 'kitchen', 'chef', 'pan', 'pot', 'stove', 'wok', 'knife', 'recipe', 'dinner', 'lunch', 'meal', 'meals', 'taste', 'spice', 'spices', 'salt', 'pepper', 'flavor', 'sauce', 'soup', 'dish', 'dishes', 'fry', 'grill', 'chop', 'stir', 'simmer', 'serve', 'plate', 'hungry', 'delicious', 'savory', 'spicy', 'cuisine'],
  intro: [
    'a chef cooks meals in a kitchen .',
    'you fry food in a hot pan .',
    'a sharp knife makes it easy to chop .',
    'soup should simmer in a pot on the stove .',
    'salt and pepper add flavor to a dish .',
    'every country has its own cuisine .',
    'a wok is a round pan for quick frying .',
    'taste the sauce before you serve it .',
    'spices make a dish savory or spicy .',
  ],
  openPrompts: [
    'what should i cook for dinner ?',
    'can you suggest a dish to make tonight ?',
    'i want to try a new recipe .',
    'what is a good meal for my family ?',
    'tell me about a dish from another country .',
    'what can i cook in my kitchen tonight ?',
    'i am hungry . what should i make ?',
    'what is a tasty dish for lunch ?',
  ],
  openAnswers: ['you could cook {s} .', 'how about {s} ?', 'a good choice is {s} .'],
  listTitles: ['dishes to try', 'dinner ideas', 'world food favorites'],
  entities: [
    // italy
    { name: 'pizza', facts: { is_a: 'a flat baked dough with toppings', cuisine: 'italy', made_with: 'dough , tomato sauce , mozzarella and basil' } },
    { name: 'lasagna', facts: { is_a: 'layers of wide pasta with sauce', cuisine: 'italy', made_with: 'pasta sheets , beef ragu , ricotta and parmesan' } },
    { name: 'risotto', facts: { is_a: 'a creamy rice dish', cuisine: 'italy', made_with: 'arborio rice , stock and parmesan' } },
    { name: 'spaghetti carbonara', facts: { is_a: 'a pasta dish with a creamy egg sauce', cuisine: 'italy', made_with: 'spaghetti , eggs , pancetta and pecorino' } },
    { name: 'tiramisu', facts: { is_a: 'a layered coffee dessert', cuisine: 'italy', made_with: 'ladyfingers , espresso and mascarpone' } },
    { name: 'gnocchi', facts: { is_a: 'small soft potato dumplings', cuisine: 'italy', made_with: 'potato , flour and semolina' } },
    { name: 'pesto', facts: { is_a: 'a green sauce for pasta', cuisine: 'italy', made_with: 'basil , pine nuts , garlic and parmesan' } },
    // france
    { name: 'ratatouille', facts: { is_a: 'a stew of summer vegetables', cuisine: 'france', made_with: 'eggplant , zucchini , tomato and peppers' } },
    { name: 'a crepe', facts: { is_a: 'a very thin pancake', cuisine: 'france', made_with: 'flour , eggs , milk and butter' } },
    { name: 'onion soup', facts: { is_a: 'a rich soup topped with bread and cheese', cuisine: 'france', made_with: 'onions , beef stock and gruyere' } },
    // mexico
    { name: 'a taco', facts: { is_a: 'a folded tortilla with a filling', cuisine: 'mexico', made_with: 'corn tortillas , meat , onion and salsa' } },
    { name: 'guacamole', facts: { is_a: 'a green dip', cuisine: 'mexico', made_with: 'avocado , lime , onion and cilantro' } },
    { name: 'an enchilada', facts: { is_a: 'a rolled tortilla covered in sauce', cuisine: 'mexico', made_with: 'tortillas , chicken , cheese and chili sauce' } },
    // japan
    { name: 'sushi', facts: { is_a: 'a dish of rolled rice', cuisine: 'japan', made_with: 'rice , raw fish and seaweed' } },
    { name: 'ramen', facts: { is_a: 'a noodle soup', cuisine: 'japan', made_with: 'wheat noodles , pork broth and egg' } },
    { name: 'tempura', facts: { is_a: 'lightly fried seafood and vegetables', cuisine: 'japan', made_with: 'shrimp , vegetables and a thin batter' } },
    // india
    { name: 'butter chicken', facts: { is_a: 'a mild creamy curry', cuisine: 'india', made_with: 'chicken , tomato , cream and butter' } },
    { name: 'biryani', facts: { is_a: 'a spiced rice dish', cuisine: 'india', made_with: 'basmati rice , meat , saffron and spices' } },
    { name: 'dal', facts: { is_a: 'a thick lentil stew', cuisine: 'india', made_with: 'lentils , turmeric , garlic and cumin' } },
    // china
    { name: 'a dumpling', facts: { is_a: 'a small parcel of dough with a filling', cuisine: 'china', made_with: 'dough , pork and cabbage' } },
    { name: 'fried rice', facts: { is_a: 'a quick rice dish cooked in a wok', cuisine: 'china', made_with: 'cooked rice , egg , soy sauce and scallions' } },
    { name: 'peking duck', facts: { is_a: 'a roast duck with crisp skin', cuisine: 'china', made_with: 'duck , plum sauce and thin pancakes' } },
    // thailand
    { name: 'pad thai', facts: { is_a: 'a fried noodle dish', cuisine: 'thailand', made_with: 'rice noodles , shrimp , peanuts and tamarind' } },
    { name: 'green curry', facts: { is_a: 'a spicy coconut curry', cuisine: 'thailand', made_with: 'green chili paste , coconut milk and chicken' } },
    // greece
    { name: 'moussaka', facts: { is_a: 'a baked layered eggplant dish', cuisine: 'greece', made_with: 'eggplant , lamb and white sauce' } },
    { name: 'greek salad', facts: { is_a: 'a fresh salad', cuisine: 'greece', made_with: 'tomato , cucumber , feta and olives' } },
    { name: 'tzatziki', facts: { is_a: 'a cool yogurt dip', cuisine: 'greece', made_with: 'yogurt , cucumber and garlic' } },
    // spain
    { name: 'paella', facts: { is_a: 'a rice dish cooked in a wide pan', cuisine: 'spain', made_with: 'rice , saffron , seafood and chicken' } },
    { name: 'gazpacho', facts: { is_a: 'a cold tomato soup', cuisine: 'spain', made_with: 'tomato , cucumber , peppers and bread' } },
    // korea
    { name: 'kimchi', facts: { is_a: 'spicy fermented cabbage', cuisine: 'korea', made_with: 'napa cabbage , chili flakes and garlic' } },
    { name: 'bibimbap', facts: { is_a: 'a bowl of rice with mixed toppings', cuisine: 'korea', made_with: 'rice , vegetables , beef and chili paste' } },
    { name: 'bulgogi', facts: { is_a: 'thin slices of grilled beef', cuisine: 'korea', made_with: 'beef , soy sauce , sugar and pear' } },
  ],
};
